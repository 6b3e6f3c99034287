import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { appInBrowser } from './suite'
import { newWatchedContext } from './browser'
import { signUpThroughPage, syncStatus, workspaceWith } from './people'

const app = appInBrowser()

const userMessage = (page: Page, text: string) => page.locator('[data-role="user"]', { hasText: text })

test('switching shows nothing of the old workspace; a workspace deleted while open ends with a notice', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(pageA, 'Dee')
  const emailB = await signUpThroughPage(pageB, 'Eli')
  const personalB = new URL(pageB.url()).pathname
  const acme = await workspaceWith(app.server.baseURL, a.context, { context: b.context, email: emailB }, 'Globex')

  // A makes a sidekiq in Globex and starts a chat with it from one of its conversation starters.
  await pageA.goto(`/w/${acme.slug}/sidekiqs/new`)
  await pageA.getByLabel('Name', { exact: true }).fill('Globex Strategist')
  await expect.poll(() => pageA.getByLabel('Default model').inputValue()).not.toBe('')
  await pageA.getByRole('button', { name: 'Add starter' }).click()
  await pageA.getByLabel('Conversation starter 1').fill('Globex roadmap secrets')
  await pageA.getByRole('button', { name: 'Create sidekiq' }).click()
  await pageA
    .locator('[data-testid="sidekiq"][data-name="Globex Strategist"]')
    .getByRole('button', { name: 'Start chat' })
    .click()
  await pageA.waitForURL(/\/c\//)
  const acmeChatId = new URL(pageA.url()).pathname.split('/').at(-1)
  await pageA.getByTestId('conversation-starters').getByRole('button', { name: 'Globex roadmap secrets' }).click()
  await pageA.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 20_000 })
  expect(await pageA.getByTestId('chat-sidekiq').textContent()).toBe('Globex Strategist')

  await pageB.goto(`/w/${acme.slug}/c/${acmeChatId}`)
  await userMessage(pageB, 'Globex roadmap secrets').waitFor({ timeout: 10_000 })
  // B switches to their own workspace with the switcher.
  await pageB.getByRole('button', { name: 'Switch workspace' }).click()
  await pageB.getByTestId('workspace-list').getByRole('link').first().click()
  await pageB.waitForURL((url) => url.pathname === personalB)
  // The URL changes first; the frame follows once the new workspace's shell has loaded.
  await expect
    .poll(() => pageB.getByRole('button', { name: 'Switch workspace' }).textContent(), { timeout: 10_000 })
    .not.toContain('Globex')
  await expect.poll(() => syncStatus(pageB), { timeout: 10_000 }).toBe('online')
  expect(await pageB.getByTestId('shared-chats').getByRole('link').count()).toBe(0)
  expect(await pageB.locator('body').textContent()).not.toContain('Globex roadmap')
  // Even by its id, Globex's chat is not in B's personal workspace.
  await pageB.goto(`${personalB}/c/${acmeChatId}`)
  await pageB.getByText('This chat is not here').waitFor()
  expect(await pageB.locator('[data-role="user"]').count()).toBe(0)
  // Nor is its sidekiq.
  await pageB.goto(`${personalB}/sidekiqs`)
  await pageB.getByTestId('sidekiqs-empty').waitFor({ timeout: 10_000 })
  expect(await pageB.locator('body').textContent()).not.toContain('Globex Strategist')

  // Back in Globex, B keeps it open while A deletes it.
  await pageB.goto(`/w/${acme.slug}`)
  await expect.poll(() => syncStatus(pageB), { timeout: 10_000 }).toBe('online')
  const res = await a.context.request.post(`${app.server.baseURL}/api/auth/organization/delete`, {
    data: { organizationId: acme.id },
    headers: { origin: app.server.baseURL },
  })
  expect(res.status(), await res.text()).toBe(200)
  await pageB.getByTestId('access-ended').waitFor({ timeout: 5_000 })
  await pageB.waitForURL((url) => url.pathname === personalB, { timeout: 15_000 })

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
