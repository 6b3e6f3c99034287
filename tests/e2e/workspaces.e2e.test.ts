import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startAppServer } from './app-server'
import { launchBrowser, newWatchedContext } from './browser'

let server: Awaited<ReturnType<typeof startAppServer>>
let browser: Browser
const SCREENSHOTS = 'docs/screenshots'

beforeAll(async () => {
  server = await startAppServer()
  browser = await launchBrowser()
  mkdirSync(SCREENSHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function signUp(page: Page, name: string, email: string) {
  await page.getByLabel('Name').fill(name)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
}

const title = (page: Page) => page.getByTestId('workspace-title')

test('A creates Acme and invites B, who joins through the link and switches between workspaces', async () => {
  const stamp = Date.now().toString(36)
  const emailA = `alice-${stamp}@example.test`
  const emailB = `bob-${stamp}@example.test`
  const a = await newWatchedContext(browser, server.baseURL)
  const b = await newWatchedContext(browser, server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()

  // A signs up and lands in their personal workspace.
  await pageA.goto('/')
  await pageA.waitForURL(/\/sign-in/)
  await pageA.screenshot({ path: `${SCREENSHOTS}/sign-in.png` })
  await pageA.goto('/sign-up')
  await signUp(pageA, 'Alice', emailA)
  await pageA.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)
  await expect.poll(() => title(pageA).textContent()).toBe("Alice's workspace")

  // A creates "Acme" from the switcher.
  await pageA.getByTestId('workspace-switcher').click()
  await pageA.getByRole('link', { name: '+ Create workspace' }).click()
  await pageA.waitForURL(/\/workspaces\/new$/)
  await pageA.getByLabel('Workspace name').fill('Acme')
  await expect.poll(() => pageA.getByLabel('URL slug').inputValue()).toBe('acme')
  await pageA.getByRole('button', { name: 'Create workspace' }).click()
  await pageA.waitForURL(/\/w\/acme$/)
  await expect.poll(() => title(pageA).textContent()).toBe('Acme')
  await pageA.screenshot({ path: `${SCREENSHOTS}/workspace-home.png` })

  // A invites B and copies the link.
  await pageA.goto('/w/acme/settings/invitations')
  await pageA.getByLabel('Email').fill(emailB)
  await pageA.getByRole('button', { name: 'Send invitation' }).click()
  const row = pageA.getByTestId('invitation-row').filter({ hasText: emailB })
  await row.waitFor()
  await row.getByRole('button', { name: /Copy link/ }).click()
  const link = await pageA.getByTestId('invitation-link').inputValue()
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/)
  await pageA.screenshot({ path: `${SCREENSHOTS}/invitations.png` })

  // B, logged out, opens the link, signs up through it and accepts.
  await pageB.goto(new URL(link).pathname)
  await expect.poll(() => pageB.getByRole('heading', { level: 1 }).textContent()).toBe('Join Acme')
  await pageB.screenshot({ path: `${SCREENSHOTS}/accept-invitation.png` })
  await pageB.getByRole('link', { name: 'Create account and accept' }).click()
  await pageB.waitForURL(/\/sign-up/)
  expect(await pageB.getByLabel('Email').inputValue()).toBe(emailB)
  await signUp(pageB, 'Bob', emailB)
  await pageB.waitForURL(/\/invite\//)
  await pageB.getByRole('button', { name: 'Accept and join Acme' }).click()
  await pageB.waitForURL(/\/w\/acme$/)
  await expect.poll(() => title(pageB).textContent()).toBe('Acme')

  // B's switcher lists both workspaces, personal first, with roles.
  await pageB.getByTestId('workspace-switcher').click()
  const options = pageB.getByTestId('workspace-list').getByRole('option')
  await expect.poll(() => options.count()).toBe(2)
  expect(await options.nth(0).textContent()).toContain("Bob's workspace")
  expect(await options.nth(0).textContent()).toContain('Personal')
  expect(await options.nth(1).textContent()).toContain('Acme')
  expect(await options.nth(1).textContent()).toContain('member')
  await pageB.screenshot({ path: `${SCREENSHOTS}/workspace-switcher.png` })

  // Switching changes the URL and the content.
  await options.nth(0).getByRole('link').click()
  await pageB.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)
  await expect.poll(() => title(pageB).textContent()).toBe("Bob's workspace")
  await pageB.getByTestId('workspace-switcher').click()
  await pageB.getByTestId('workspace-list').getByRole('link', { name: /Acme/ }).click()
  await pageB.waitForURL(/\/w\/acme$/)
  await expect.poll(() => title(pageB).textContent()).toBe('Acme')

  // A sees B among Acme's members.
  await pageA.goto('/w/acme/settings/members')
  await expect.poll(() => pageA.getByTestId('member-row').count()).toBe(2)
  expect(await pageA.getByTestId('members-list').textContent()).toContain(emailB)
  await pageA.screenshot({ path: `${SCREENSHOTS}/members.png` })

  // A used link gets a clear page, not an error.
  await pageB.goto(new URL(link).pathname)
  await pageB.getByText('This invitation was already used.').waitFor()

  // A workspace B does not belong to is "not available", not an error page.
  await pageB.goto('/w/no-such-workspace')
  await pageB.getByTestId('not-available').waitFor()

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
