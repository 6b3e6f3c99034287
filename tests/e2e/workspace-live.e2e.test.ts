import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { appInBrowser } from './suite'
import { newWatchedContext } from './browser'
import { signUpThroughPage, syncStatus, workspaceWith } from './people'

const app = appInBrowser()

const presentNames = (page: Page) =>
  page
    .getByTestId('presence')
    .getByTestId('present-person')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))

const ask = async (page: Page, text: string) => {
  await page.getByLabel('Message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

const userMessage = (page: Page, text: string) => page.locator('[data-role="user"]', { hasText: text })

test('presence and typing in a shared chat; offline writes and a pending answer reach the others on reconnect', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(pageA, 'Ada')
  const emailB = await signUpThroughPage(pageB, 'Ben')
  const acme = await workspaceWith(app.server.baseURL, a.context, { context: b.context, email: emailB }, 'Acme')
  await Promise.all([pageA.goto(`/w/${acme.slug}`), pageB.goto(`/w/${acme.slug}`)])
  await expect.poll(() => syncStatus(pageA), { timeout: 10_000 }).toBe('online')
  await expect.poll(() => syncStatus(pageB), { timeout: 10_000 }).toBe('online')

  // A starts a shared chat; B opens it: both see both of them there.
  await pageA.getByRole('button', { name: 'New chat' }).click()
  await pageA.waitForURL(/\/c\//)
  const chatPath = new URL(pageA.url()).pathname
  await ask(pageA, 'Plan the launch')
  await pageA.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 20_000 })
  await pageB.goto(chatPath)
  await expect.poll(() => presentNames(pageA), { timeout: 10_000 }).toEqual(['Ada', 'Ben'])
  await expect.poll(() => presentNames(pageB), { timeout: 10_000 }).toEqual(['Ada', 'Ben'])

  // A types: B sees it, and sees it stop once A sends.
  await pageA.getByLabel('Message').fill('Thinking about a date')
  await expect.poll(() => pageB.getByTestId('typing').textContent(), { timeout: 5_000 }).toBe('Ada is typing…')
  await pageA.getByLabel('Message').fill('')
  await expect.poll(() => pageB.getByTestId('typing').textContent(), { timeout: 5_000 }).toBe('')
  await pageA.screenshot({ path: 'docs/screenshots/chat-live.png' })

  // B loses the network, writes in the chat and starts another one: it all stays on B's device for now.
  await b.context.setOffline(true)
  await expect.poll(() => syncStatus(pageB), { timeout: 10_000 }).toBe('offline')
  await ask(pageB, 'Written offline')
  await userMessage(pageB, 'Written offline').getByTestId('pending-generation').waitFor()
  await pageB.getByRole('button', { name: 'New chat' }).click()
  await pageB.waitForURL((url) => url.pathname.includes('/c/') && url.pathname !== chatPath)
  const offlineChatPath = new URL(pageB.url()).pathname
  await ask(pageB, 'A new chat made offline')
  await userMessage(pageB, 'A new chat made offline').getByTestId('pending-generation').waitFor()
  // The network really is cut: A has none of it.
  await pageA.waitForTimeout(1500)
  expect(await userMessage(pageA, 'Written offline').count()).toBe(0)
  expect(await pageA.getByTestId('shared-chats').getByRole('link').count()).toBe(1)

  // Back online: both writes reach A, and the waiting requests are answered for everyone.
  await b.context.setOffline(false)
  await expect.poll(() => syncStatus(pageB), { timeout: 15_000 }).toBe('online')
  await userMessage(pageA, 'Written offline').waitFor({ timeout: 10_000 })
  await expect.poll(() => pageA.getByTestId('shared-chats').getByRole('link').count(), { timeout: 10_000 }).toBe(2)
  await expect
    .poll(() => pageB.locator('[data-role="assistant"][data-status="done"]').count(), { timeout: 20_000 })
    .toBe(1)
  expect(await pageB.getByTestId('pending-generation').count()).toBe(0)
  await pageA.goto(offlineChatPath)
  await userMessage(pageA, 'A new chat made offline').waitFor()
  await pageA.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 20_000 })
  await pageB.goto(chatPath)
  await expect.poll(() => pageB.locator('[data-role="assistant"][data-status="done"]').count()).toBe(2)

  expect(a.errors).toEqual([])
  expect(b.errors.filter((e) => !/WebSocket|ERR_INTERNET_DISCONNECTED|net::ERR|Failed to fetch/.test(e))).toEqual([])
  await a.context.close()
  await b.context.close()
})

test('regenerate keeps the earlier answer as a version; edit and ask again answers the edited question', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const page = await a.context.newPage()
  await signUpThroughPage(page, 'Cy')
  await page.getByRole('button', { name: 'Private' }).click()
  await page.waitForURL(/\/c\//)
  await ask(page, 'First question, **bold** and `inline code`')
  const answer = page.locator('[data-role="assistant"]').last()
  await expect.poll(() => answer.getAttribute('data-status'), { timeout: 20_000 }).toBe('done')
  // The answer is Markdown (the demo model echoes the question), with its metadata and a copy button.
  await answer.locator('.markdown strong', { hasText: 'bold' }).waitFor()
  await answer.locator('.markdown code', { hasText: 'inline code' }).waitFor()
  await answer.getByRole('button', { name: 'Copy answer' }).waitFor()
  expect(await answer.getByTestId('message-meta').textContent()).toMatch(
    /Demo \(offline\).*\d+ in \/ \d+ out.*TTFT \d+ ms/,
  )
  const answerText = answer.getByTestId('message-content')
  const firstText = await answerText.textContent()

  await page.getByRole('button', { name: 'Regenerate' }).click()
  await page.getByTestId('answer-versions').waitFor({ timeout: 10_000 })
  await expect.poll(() => answer.getAttribute('data-status'), { timeout: 20_000 }).toBe('done')
  expect(await page.getByTestId('answer-versions').textContent()).toContain('2/2')
  await page.getByRole('button', { name: 'Previous version' }).click()
  expect(await page.getByTestId('answer-versions').textContent()).toContain('1/2')
  expect(await answerText.textContent()).toBe(firstText)

  await userMessage(page, 'First question').hover()
  await page.getByRole('button', { name: 'Edit' }).click()
  await page.getByLabel('Edit message').fill('Edited question')
  await page.getByRole('button', { name: 'Save and ask again' }).click()
  await userMessage(page, 'Edited question').waitFor()
  await expect.poll(() => page.getByTestId('answer-versions').textContent(), { timeout: 10_000 }).toContain('3/3')
  await expect.poll(() => answer.getAttribute('data-status'), { timeout: 20_000 }).toBe('done')
  expect(await answerText.textContent()).toContain('Edited question')

  expect(a.errors).toEqual([])
  await a.context.close()
})
