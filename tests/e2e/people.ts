import type { BrowserContext, Page } from 'playwright-core'
import { expect } from 'vitest'

/** Signs a new person up through the page; resolves with their email once they land in their personal workspace. */
export async function signUpThroughPage(page: Page, name: string): Promise<string> {
  const email = `${name.toLowerCase()}-${Date.now().toString(36)}@example.test`
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)
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
