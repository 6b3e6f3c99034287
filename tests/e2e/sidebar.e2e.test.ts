import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { appInBrowser } from './suite'
import { newWatchedContext } from './browser'
import { callAs, signUpThroughPage, syncStatus } from './people'

const app = appInBrowser()

const titles = (page: Page, section: 'shared-chats' | 'private-chats') =>
  page.getByTestId(section).getByTestId('chat-item').getByRole('link').allTextContents()

const item = (page: Page, section: 'shared-chats' | 'private-chats', title: string) =>
  page.getByTestId(section).getByTestId('chat-item').filter({ hasText: title })

/** Starts a chat with the sidebar's button, asks, and waits until the answer has named it. */
async function startChatAndAsk(page: Page, button: 'New chat' | 'Private', question: string) {
  const before = page.url()
  await page.getByRole('button', { name: button, exact: true }).click()
  await page.waitForURL((url) => url.pathname.includes('/c/') && url.href !== before)
  await page.getByLabel('Message').fill(question)
  await page.getByRole('button', { name: 'Send' }).click()
  await page
    .locator('[data-role="assistant"][data-status="done"]')
    .waitFor({ timeout: 40_000 })
    .catch(async (e: unknown) => {
      throw new Error(`${String(e)}\nThe chat showed: ${await page.locator('main').innerText()}`)
    })
  const section = button === 'Private' ? 'private-chats' : 'shared-chats'
  await expect.poll(() => titles(page, section), { timeout: 10_000 }).toContain(question)
}

async function chooseAction(page: Page, section: 'shared-chats' | 'private-chats', title: string, action: string) {
  await item(page, section, title).getByRole('button', { name: 'Chat actions' }).click()
  await page.getByRole('menu').getByRole('menuitem', { name: action, exact: true }).click()
}

test('the sidebar organises chats: rename, pin, search, archive, move to shared, delete; a viewer only reads; shortcuts and switcher by keyboard', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(pageA, 'Ada')
  const emailB = await signUpThroughPage(pageB, 'Ben')
  // B joins as a viewer: reads everything live, may change nothing.
  const acme = await callAs(a.context, app.server.baseURL, '/api/auth/organization/create', {
    name: 'Acme',
    slug: `acme-${Date.now().toString(36)}`,
  })
  const invitation = await callAs(a.context, app.server.baseURL, '/api/auth/organization/invite-member', {
    organizationId: acme.id,
    email: emailB,
    role: 'viewer',
  })
  await callAs(b.context, app.server.baseURL, '/api/auth/organization/accept-invitation', {
    invitationId: invitation.id,
  })
  await Promise.all([pageA.goto(`/w/${acme.slug}`), pageB.goto(`/w/${acme.slug}`)])
  await expect.poll(() => syncStatus(pageA)).toBe('online')
  await expect.poll(() => syncStatus(pageB)).toBe('online')

  await startChatAndAsk(pageA, 'New chat', 'Plan the team offsite')
  await startChatAndAsk(pageA, 'New chat', 'Draft a welcome email')
  await startChatAndAsk(pageA, 'Private', 'Summarize my meeting notes')
  // Most recent first, under "Today".
  expect(await titles(pageA, 'shared-chats')).toEqual(['Draft a welcome email', 'Plan the team offsite'])
  expect(await pageA.getByTestId('shared-chats').locator('[data-group]').getAttribute('data-group')).toBe('today')

  // Rename in place: an empty title is refused with a reason, Enter saves, B sees the new name.
  await chooseAction(pageA, 'shared-chats', 'Draft a welcome email', 'Rename')
  const titleField = pageA.getByLabel('Chat title')
  await titleField.fill('   ')
  await titleField.press('Enter')
  expect(await pageA.getByTestId('shared-chats').getByRole('alert').textContent()).toBe('A chat needs a title')
  await titleField.fill('Welcome email v2')
  await titleField.press('Enter')
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Welcome email v2', 'Plan the team offsite'])
  await expect.poll(() => titles(pageB, 'shared-chats')).toEqual(['Welcome email v2', 'Plan the team offsite'])
  // Escape cancels a rename.
  await chooseAction(pageA, 'shared-chats', 'Welcome email v2', 'Rename')
  await titleField.fill('Never saved')
  await titleField.press('Escape')
  expect(await titles(pageA, 'shared-chats')).toEqual(['Welcome email v2', 'Plan the team offsite'])

  // Pin, with the keyboard only: the menu opens on its first item, ArrowDown reaches Pin. The pinned chat goes first.
  await item(pageA, 'shared-chats', 'Plan the team offsite').getByRole('button', { name: 'Chat actions' }).focus()
  await pageA.keyboard.press('Enter')
  await expect.poll(() => pageA.evaluate(() => document.activeElement?.textContent)).toBe('Rename')
  await pageA.keyboard.press('ArrowDown')
  await pageA.keyboard.press('Enter')
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])
  expect(
    await pageA
      .getByTestId('shared-chats')
      .locator('[data-group]')
      .evaluateAll((els) => els.map((e) => e.dataset.group)),
  ).toEqual(['pinned', 'today'])
  await expect.poll(() => titles(pageB, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])

  // Search filters both sections; nothing matching says so.
  const search = pageA.getByLabel('Search chats')
  await search.fill('WELCOME')
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Welcome email v2'])
  expect(await titles(pageA, 'private-chats')).toEqual([])
  await search.fill('meeting')
  await expect.poll(() => titles(pageA, 'private-chats')).toEqual(['Summarize my meeting notes'])
  expect(await titles(pageA, 'shared-chats')).toEqual([])
  await search.fill('quarterly budget')
  await pageA.getByTestId('no-chat-matches').waitFor()
  await search.press('Escape')
  expect(await search.inputValue()).toBe('')
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])

  // Archive hides the chat from the list; the Archived section shows it and restores it.
  await chooseAction(pageA, 'shared-chats', 'Welcome email v2', 'Archive')
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Plan the team offsite'])
  await pageA.getByTestId('toast').filter({ hasText: 'Chat archived' }).waitFor()
  const archivedToggle = pageA.getByTestId('archived-chats').getByRole('button', { name: /Archived/ })
  expect(await archivedToggle.getAttribute('aria-expanded')).toBe('false')
  await archivedToggle.click()
  const archived = pageA.getByTestId('archived-chat').filter({ hasText: 'Welcome email v2' })
  await archived.getByRole('button', { name: 'Restore' }).click()
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])
  expect(await pageA.getByTestId('archived-chats').count()).toBe(0)

  // Move the private chat to the shared room: it leaves A's private list and reaches B.
  expect(await titles(pageB, 'shared-chats')).not.toContain('Summarize my meeting notes')
  await chooseAction(pageA, 'private-chats', 'Summarize my meeting notes', 'Move to shared')
  await expect.poll(() => titles(pageA, 'private-chats')).toEqual([])
  await expect.poll(() => titles(pageA, 'shared-chats')).toContain('Summarize my meeting notes')
  await expect.poll(() => titles(pageB, 'shared-chats'), { timeout: 10_000 }).toContain('Summarize my meeting notes')
  await pageA.getByTestId('toast').filter({ hasText: 'Moved to shared chats' }).waitFor()
  // Toasts can be dismissed before they go by themselves.
  while ((await pageA.getByTestId('toast').count()) > 0) {
    // One may also go by itself meanwhile: then the loop looks again.
    await pageA
      .getByTestId('toast')
      .first()
      .getByRole('button', { name: 'Dismiss' })
      .click({ timeout: 2_000 })
      .catch(() => undefined)
  }
  await item(pageA, 'shared-chats', 'Welcome email v2').getByRole('button', { name: 'Chat actions' }).click()
  await pageA.getByRole('menu').waitFor()
  await pageA.screenshot({ path: 'docs/screenshots/sidebar.png' })
  await pageA.keyboard.press('Escape')
  expect(await pageA.getByRole('menu').count()).toBe(0)

  // Delete the open chat: a confirm first (Cancel keeps it), then the chat goes and A lands on the workspace home.
  await item(pageA, 'shared-chats', 'Summarize my meeting notes').getByRole('link').click()
  await pageA.waitForURL(/\/c\//)
  await chooseAction(pageA, 'shared-chats', 'Summarize my meeting notes', 'Delete')
  const dialog = pageA.getByRole('dialog', { name: 'Delete chat?' })
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  expect(await titles(pageA, 'shared-chats')).toContain('Summarize my meeting notes')
  await chooseAction(pageA, 'shared-chats', 'Summarize my meeting notes', 'Delete')
  expect(await dialog.textContent()).toContain('for everyone in this workspace')
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await pageA.waitForURL((url) => url.pathname === `/w/${acme.slug}`)
  await expect.poll(() => titles(pageA, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])
  await expect.poll(() => titles(pageB, 'shared-chats')).toEqual(['Plan the team offsite', 'Welcome email v2'])
  // The viewer had no way to change any of it.
  expect(await pageB.getByRole('button', { name: 'Chat actions' }).count()).toBe(0)
  expect(await pageB.getByRole('button', { name: 'New chat', exact: true }).count()).toBe(0)

  // Shortcuts: Ctrl+Shift+O starts a chat, Ctrl+K focuses the search even from the message box, "?" shows the help.
  await pageA.keyboard.press('Control+Shift+O')
  await pageA.waitForURL(/\/c\//)
  await expect
    .poll(() => titles(pageA, 'shared-chats'))
    .toEqual(['Plan the team offsite', 'New chat', 'Welcome email v2'])
  await pageA.getByLabel('Message').focus()
  await pageA.keyboard.press('Control+K')
  await expect.poll(() => pageA.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search chats')
  await pageA.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
  await pageA.keyboard.press('?')
  await pageA.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
  expect(await pageA.getByTestId('shortcuts-help').textContent()).toContain('Switch workspace')
  await pageA.keyboard.press('Escape')
  await expect.poll(() => pageA.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(0)

  // Ctrl+Shift+K opens the switcher on the current workspace; the arrows and Enter switch to the personal one.
  await pageA.keyboard.press('Control+Shift+K')
  await expect
    .poll(() => pageA.evaluate(() => document.activeElement?.closest('[role="option"]')?.textContent ?? ''))
    .toContain('Acme')
  await pageA.keyboard.press('ArrowUp')
  expect(await pageA.evaluate(() => document.activeElement?.closest('[role="option"]')?.textContent)).toContain(
    'Personal',
  )
  await pageA.keyboard.press('Enter')
  await pageA.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})

test('on a phone the sidebar opens from the menu button and closes on a choice', async () => {
  const c = await newWatchedContext(app.browser, app.server.baseURL)
  const page = await c.context.newPage()
  await signUpThroughPage(page, 'Cleo')
  await expect.poll(() => syncStatus(page)).toBe('online')
  await startChatAndAsk(page, 'New chat', 'Compare two laptops')
  await startChatAndAsk(page, 'Private', 'Ideas for a birthday gift')
  expect(await page.getByTestId('chat-item').getByRole('button', { name: 'Chat actions' }).count()).toBe(2)

  await page.setViewportSize({ width: 375, height: 780 })
  const home = new URL(page.url()).pathname.replace(/\/c\/.*$/, '')
  await page.goto(home)
  await expect.poll(() => syncStatus(page)).toBe('online')
  expect(await page.getByRole('button', { name: 'New chat', exact: true }).isVisible()).toBe(false)
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
  // It opens over the page with focus inside; Escape closes it back onto the menu button.
  await page.getByRole('button', { name: 'Open sidebar' }).click()
  await expect.poll(() => page.getByTestId('shared-chats').isVisible()).toBe(true)
  await expect.poll(focused).toBe('Close sidebar')
  await page.keyboard.press('Escape')
  await expect.poll(() => page.getByTestId('shared-chats').isVisible()).toBe(false)
  expect(await focused()).toBe('Open sidebar')
  await page.getByRole('button', { name: 'Open sidebar' }).click()
  await expect.poll(() => page.getByTestId('shared-chats').isVisible()).toBe(true)
  await expect.poll(() => titles(page, 'private-chats')).toEqual(['Ideas for a birthday gift'])
  // Actions are reachable without hover on a touch screen.
  expect(
    await item(page, 'shared-chats', 'Compare two laptops').getByRole('button', { name: 'Chat actions' }).isVisible(),
  ).toBe(true)
  await page.screenshot({ path: 'docs/screenshots/phone.png' })
  await item(page, 'private-chats', 'Ideas for a birthday gift').getByRole('link').click()
  await page.waitForURL(/\/c\//)
  await expect.poll(() => page.locator('#app-sidebar').getAttribute('data-open')).toBe('false')
  await expect.poll(() => page.getByTestId('shared-chats').isVisible()).toBe(false)
  await page.locator('[data-role="user"]', { hasText: 'Ideas for a birthday gift' }).waitFor()

  expect(c.errors).toEqual([])
  await c.context.close()
})
