import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startAppServer } from './app-server'
import { launchBrowser, newWatchedContext } from './browser'
import { signUpThroughPage, syncStatus, workspaceWith } from './people'

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

const row = (page: Page, name: string) => page.locator(`[data-testid="sidekiq"][data-name="${name}"]`)
const names = (page: Page) => page.getByTestId('sidekiq-name').allTextContents()

/** Fills the sidekiq form's name and waits for the model list, which the form needs before it saves. */
async function fillName(page: Page, name: string) {
  await page.getByLabel('Name', { exact: true }).fill(name)
  await expect.poll(() => page.getByLabel('Default model').inputValue()).not.toBe('')
}

test('owner and member share sidekiqs live; each edits only what their role allows', async () => {
  const a = await newWatchedContext(browser, server.baseURL)
  const b = await newWatchedContext(browser, server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(pageA, 'Ada')
  const emailB = await signUpThroughPage(pageB, 'Ben')
  const acme = await workspaceWith(server.baseURL, a.context, { context: b.context, email: emailB }, 'Acme')
  const list = `/w/${acme.slug}/sidekiqs`
  await Promise.all([pageA.goto(list), pageB.goto(list)])
  await expect.poll(() => syncStatus(pageA)).toBe('online')
  await expect.poll(() => syncStatus(pageB)).toBe('online')
  await pageB.getByTestId('sidekiqs-empty').waitFor()

  // A creates a sidekiq with two conversation starters.
  await pageA.getByRole('link', { name: 'New sidekiq' }).click()
  await pageA.waitForURL(/\/sidekiqs\/new$/)
  await fillName(pageA, 'Writer')
  await pageA.getByLabel('Description').fill('Tightens prose')
  await pageA.getByLabel('Instructions').fill('Answer in plain English.')
  await pageA.getByRole('radio', { name: 'Use initials' }).check()
  await pageA.getByLabel('Initials', { exact: true }).fill('wr')
  await pageA.getByRole('button', { name: 'Add starter' }).click()
  await pageA.getByLabel('Conversation starter 1').fill('Shorten this paragraph')
  await pageA.getByRole('button', { name: 'Add starter' }).click()
  await pageA.getByLabel('Conversation starter 2').fill('Fix my grammar')
  await pageA.getByRole('button', { name: 'Create sidekiq' }).click()
  await pageA.waitForURL((url) => url.pathname === list)
  await row(pageA, 'Writer').waitFor()

  // B, who did nothing, sees it arrive.
  await row(pageB, 'Writer').waitFor({ timeout: 10_000 })
  expect(await row(pageB, 'Writer').textContent()).toContain('Tightens prose')

  // A second sidekiq of the same name, in another case, is refused next to the name.
  await pageA.getByRole('link', { name: 'New sidekiq' }).click()
  await fillName(pageA, 'writer')
  await pageA.getByRole('button', { name: 'Create sidekiq' }).click()
  await pageA.getByText('Another sidekiq already has this name').waitFor()
  expect(await pageA.getByRole('alert').first().textContent()).toContain('A sidekiq named “writer” already exists')
  expect(pageA.url()).toMatch(/\/sidekiqs\/new$/)
  await pageA.getByRole('button', { name: 'Cancel' }).click()
  await pageA.waitForURL((url) => url.pathname === list)

  // A favourites it; B sees the star.
  await pageA.getByRole('button', { name: 'Favourite Writer' }).click()
  await expect
    .poll(() => pageB.getByRole('button', { name: 'Unfavourite Writer' }).getAttribute('aria-pressed'))
    .toBe('true')

  // A duplicates it, then edits the copy into another sidekiq.
  await row(pageA, 'Writer').getByRole('button', { name: 'Duplicate' }).click()
  await row(pageA, 'Writer (copy)').waitFor()
  await row(pageA, 'Writer (copy)').getByRole('link', { name: 'Edit' }).click()
  await pageA.waitForURL(/\/sidekiqs\/[^/]+$/)
  expect(await pageA.getByLabel('Conversation starter 2').inputValue()).toBe('Fix my grammar')
  await pageA.getByLabel('Name', { exact: true }).fill('Editor')
  await pageA.getByLabel('Description').fill('Reads for structure')
  await pageA.getByLabel('Initials', { exact: true }).fill('ED')
  await pageA.getByRole('button', { name: 'Colour #d97706' }).click()
  await pageA.getByRole('button', { name: 'Remove starter 1' }).click()
  await pageA.getByRole('button', { name: 'Save' }).click()
  await pageA.waitForURL((url) => url.pathname === list)
  await expect.poll(() => names(pageB)).toEqual(['Writer', 'Editor'])
  expect(await row(pageB, 'Editor').textContent()).toContain('Reads for structure')
  expect(await row(pageB, 'Editor').getByTestId('sidekiq-avatar').textContent()).toBe('ED')
  expect(await row(pageB, 'Writer').getByTestId('sidekiq-avatar').textContent()).toBe('WR')

  // B may not change A's sidekiqs: no Edit or Delete, only View; but B makes one of their own.
  expect(await row(pageB, 'Writer').getByRole('link', { name: 'Edit' }).count()).toBe(0)
  expect(await row(pageB, 'Writer').getByRole('button', { name: 'Delete' }).count()).toBe(0)
  expect(await row(pageB, 'Writer').getByRole('link', { name: 'View' }).count()).toBe(1)
  await pageB.getByRole('link', { name: 'New sidekiq' }).click()
  await fillName(pageB, 'Ben’s helper')
  await pageB.getByRole('radio', { name: 'Use initials' }).check()
  await pageB.getByRole('button', { name: 'Colour #059669' }).click()
  await pageB.getByRole('button', { name: 'Create sidekiq' }).click()
  await pageB.waitForURL((url) => url.pathname === list)
  expect(await row(pageB, 'Ben’s helper').getByRole('link', { name: 'Edit' }).count()).toBe(1)
  expect(await row(pageB, 'Ben’s helper').getByTestId('sidekiq-avatar').textContent()).toBe('BH')
  // The owner may edit anyone's.
  await row(pageA, 'Ben’s helper').getByRole('link', { name: 'Edit' }).waitFor({ timeout: 10_000 })
  expect(await names(pageA)).toEqual(['Writer', 'Ben’s helper', 'Editor'])
  await pageA.screenshot({ path: `${SCREENSHOTS}/sidekiqs.png` })

  // A starts a chat with Writer: a shared chat, opened at once.
  await row(pageA, 'Writer').getByRole('button', { name: 'Start chat' }).click()
  await pageA.waitForURL(/\/w\/[^/]+\/c\/[^/]+$/)
  await pageA.getByLabel('Message').waitFor()
  await expect.poll(() => pageB.getByTestId('shared-chats').getByRole('link').count(), { timeout: 10_000 }).toBe(1)

  // A deletes Writer after confirming; it leaves B's list.
  await pageA.goto(list)
  await row(pageA, 'Writer').waitFor()
  pageA.once('dialog', (dialog) => void dialog.accept())
  await row(pageA, 'Writer').getByRole('button', { name: 'Delete' }).click()
  await expect.poll(() => names(pageA)).toEqual(['Ben’s helper', 'Editor'])
  await expect.poll(() => names(pageB), { timeout: 10_000 }).toEqual(['Ben’s helper', 'Editor'])

  // The free plan holds five: at the fifth, copying stops and the page says why.
  for (const n of [3, 4, 5]) {
    await row(pageA, 'Editor').getByRole('button', { name: 'Duplicate' }).click()
    await expect.poll(() => names(pageA).then((all) => all.length)).toBe(n)
  }
  await pageA.getByText('This workspace’s plan holds 5 sidekiqs').waitFor()
  expect(await row(pageA, 'Editor').getByRole('button', { name: 'Duplicate' }).isDisabled()).toBe(true)
  // Names compare code unit by code unit, alike on every peer: " 2)" sorts before ")".
  await expect
    .poll(() => names(pageB))
    .toEqual(['Ben’s helper', 'Editor', 'Editor (copy 2)', 'Editor (copy 3)', 'Editor (copy)'])

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
