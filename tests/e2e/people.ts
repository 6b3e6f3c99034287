import type { BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'

// The e2e server runs in production mode, where better-auth refuses a 4th sign-up from one
// address until 10 s pass without one (its count resets only after a quiet window), and every
// test person signs up from 127.0.0.1: pace them, as separate people would be.
const SIGN_UPS_PER_WINDOW = 3
const SIGN_UP_QUIET_MS = 10_000 + 500
const signUps = { count: 0, last: 0 }

async function waitForSignUpAllowance() {
  if (Date.now() - signUps.last >= SIGN_UP_QUIET_MS) signUps.count = 0
  if (signUps.count >= SIGN_UPS_PER_WINDOW) {
    await new Promise((resolve) => setTimeout(resolve, signUps.last + SIGN_UP_QUIET_MS - Date.now()))
    signUps.count = 0
  }
  signUps.count++
  signUps.last = Date.now()
}

/** Signs a new person up through the page; resolves with their email once they land in their personal workspace. */
export async function signUpThroughPage(page: Page, name: string): Promise<string> {
  await waitForSignUpAllowance()
  const email = `${name.toLowerCase()}-${Date.now().toString(36)}@example.test`
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('correct horse battery')
  // Requests still open if the landing page never finishes loading, for the failure's message.
  const open = new Set<string>()
  const opened = (r: { url(): string }) => open.add(r.url())
  const closed = (r: { url(): string }) => open.delete(r.url())
  page.on('request', opened)
  page.on('requestfinished', closed)
  page.on('requestfailed', closed)
  try {
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)
  } catch (error) {
    const state = await page
      .evaluate(() => `${location.href} ${document.readyState}: ${document.querySelector('main')?.textContent ?? ''}`)
      .catch(() => 'unknown')
    throw new Error(`the page after sign-up did not load (${state}); still open: ${[...open].join(', ')}`, {
      cause: error,
    })
  } finally {
    // The server's quiet window runs from its last sign-up request, which is now, not from when this began.
    signUps.last = Date.now()
    page.off('request', opened)
    page.off('requestfinished', closed)
    page.off('requestfailed', closed)
  }
  return email
}

/** Our API as the browser context's signed-in person (its cookies), from the app's origin; expects 200. */
export async function callAs(context: BrowserContext, baseURL: string, path: string, data: unknown) {
  const res = await context.request.post(`${baseURL}${path}`, { data, headers: { origin: baseURL } })
  expect(res.status(), `${path}: ${await res.text()}`).toBe(200)
  return res.json()
}

/** The sync indicator's state: offline, syncing or online. */
export const syncStatus = (page: Page) => page.getByTestId('sync-status').getAttribute('data-status')

/** Creates a workspace as A and brings B into it as a member (invitation and acceptance over the API). */
export async function workspaceWith(
  baseURL: string,
  owner: BrowserContext,
  member: { context: BrowserContext; email: string },
  name: string,
) {
  const ws = await callAs(owner, baseURL, '/api/auth/organization/create', {
    name,
    slug: `${name.toLowerCase()}-${Date.now().toString(36)}`,
  })
  const invitation = await callAs(owner, baseURL, '/api/auth/organization/invite-member', {
    organizationId: ws.id,
    email: member.email,
    role: 'member',
  })
  await callAs(member.context, baseURL, '/api/auth/organization/accept-invitation', { invitationId: invitation.id })
  return ws as { id: string; slug: string }
}
