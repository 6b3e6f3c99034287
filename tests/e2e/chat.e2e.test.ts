import { expect, test } from 'vitest'
import { appInBrowser } from './suite'
import { newWatchedContext } from './browser'
import { signUpThroughPage, syncStatus, workspaceWith } from './people'

const app = appInBrowser()

test('B sees A’s new shared chat and its AI answer arrive live; A’s private chat never reaches B', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(pageA, 'Ada')
  const emailB = await signUpThroughPage(pageB, 'Ben')
  const acme = await workspaceWith(app.server.baseURL, a.context, { context: b.context, email: emailB }, 'Acme')
  await Promise.all([pageA.goto(`/w/${acme.slug}`), pageB.goto(`/w/${acme.slug}`)])
  await expect.poll(() => syncStatus(pageA)).toBe('online')
  await expect.poll(() => syncStatus(pageB)).toBe('online')

  // A starts a private chat first: it stays A's.
  await pageA.getByRole('button', { name: 'Private' }).click()
  await pageA.waitForURL(/\/c\//)
  await pageA.getByLabel('Message').fill('A private note')
  await pageA.getByLabel('Message').press('Enter')
  await pageA.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 20_000 })

  // Then a shared one, and asks in it.
  const privateChatUrl = pageA.url()
  await pageA.getByRole('button', { name: 'New chat' }).click()
  await pageA.waitForURL((url) => url.pathname.includes('/c/') && url.href !== privateChatUrl)
  const sharedChatUrl = new URL(pageA.url()).pathname
  await pageA.getByLabel('Message').fill('What is the capital of France?')
  await pageA.getByRole('button', { name: 'Send' }).click()

  // B sees the chat in the sidebar, opens it, and watches the answer come in.
  const sharedB = pageB.getByTestId('shared-chats').getByRole('link')
  await expect.poll(() => sharedB.count(), { timeout: 10_000 }).toBe(1)
  await sharedB.first().click()
  await pageB.waitForURL((url) => url.pathname === sharedChatUrl)
  await pageB.locator('[data-role="user"]', { hasText: 'What is the capital of France?' }).waitFor()
  const answerB = pageB.locator('[data-role="assistant"]').last()
  await expect.poll(() => answerB.getAttribute('data-status'), { timeout: 20_000 }).toBe('done')
  const answerA = pageA.locator('[data-role="assistant"]').last()
  await expect.poll(() => answerA.getAttribute('data-status')).toBe('done')
  expect(await answerB.textContent()).toBe(await answerA.textContent())
  expect((await answerB.textContent())?.length).toBeGreaterThan(10)
  // The chat got a title from its first answer, for both.
  await expect
    .poll(() => pageB.getByTestId('chat-title').textContent(), { timeout: 10_000 })
    .toBe('What is the capital of France')
  expect(await pageB.getByTestId('shared-chats').getByRole('link').textContent()).toBe('What is the capital of France')

  // B's side never had A's private chat, on screen or on the device.
  expect(await pageB.getByTestId('private-chats').getByRole('link').count()).toBe(0)
  expect(await pageB.getByText('A private note').count()).toBe(0)
  await pageA.screenshot({ path: 'docs/screenshots/chat.png' })

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
