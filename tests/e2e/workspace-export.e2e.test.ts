import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { appendMessage, createChat, createSidekiq, openChatRoom } from '../../shared/doc'
import { chatRoomOf, privateRoom, sharedRoom } from '../../shared/rooms'
import { newWatchedContext } from './browser'
import { signUpThroughPage, syncStatus, workspaceWith } from './people'
import { appInBrowser } from './suite'

const app = appInBrowser()

const titles = (page: Page, section: 'shared-chats' | 'private-chats') =>
  page.getByTestId(section).getByTestId('chat-item').getByRole('link').allTextContents()
const sidekiqNames = (page: Page) => page.getByTestId('sidekiq-name').allTextContents()

/** Writes into a room as the signed-in person, over the same websocket the app uses. */
async function writeInto(room: string, token: string, write: (doc: Y.Doc) => void) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(`${app.server.baseURL.replace(/^http/, 'ws')}/sync`, room, doc, {
    WebSocketPolyfill: WebSocket as never,
    params: { token },
    disableBc: true,
  })
  await expect.poll(() => provider.synced).toBe(true)
  write(doc)
  return { done: () => (provider.destroy(), doc.destroy()) }
}

test('the owner exports a workspace from settings and imports it as a new one, chats and sidekiqs included', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const page = await a.context.newPage()
  const pageB = await b.context.newPage()
  await signUpThroughPage(page, 'Ada')
  const emailB = await signUpThroughPage(pageB, 'Ben')
  const acme = await workspaceWith(app.server.baseURL, a.context, { context: b.context, email: emailB }, 'Acme')
  const { user } = await (await a.context.request.get(`${app.server.baseURL}/api/auth/get-session`)).json()
  const cookie = (await a.context.cookies()).find((c) => c.name === 'workspaces.session_token')!
  const token = decodeURIComponent(cookie.value)

  // Acme's content: a sidekiq and a shared chat, and a private chat of Ada's.
  let sharedChatId = ''
  let privateChatId = ''
  const shared = await writeInto(sharedRoom(acme.id), token, (doc) => {
    const writer = createSidekiq(doc, {
      name: 'Writer',
      description: 'Tightens prose',
      model: 'demo',
      createdBy: user.id,
    })
    const chat = createChat(doc, {
      title: 'Plan the offsite',
      createdBy: user.id,
      sidekiqId: writer.id,
      sidekiqName: writer.name,
    })
    sharedChatId = chat.id
  })
  const mine = await writeInto(privateRoom(acme.id, user.id), token, (doc) => {
    privateChatId = createChat(doc, { title: 'My own notes', createdBy: user.id }).id
  })
  // Each chat's messages go to its own room (decision 021).
  const sharedMessages = await writeInto(chatRoomOf(sharedRoom(acme.id), sharedChatId), token, (doc) => {
    openChatRoom(doc, sharedChatId)
    appendMessage(doc, sharedChatId, { role: 'user', authorId: user.id, content: 'Where shall we go?' })
  })
  const myMessages = await writeInto(chatRoomOf(privateRoom(acme.id, user.id), privateChatId), token, (doc) => {
    openChatRoom(doc, privateChatId)
    appendMessage(doc, privateChatId, { role: 'user', authorId: user.id, content: 'Remember the budget' })
  })
  await page.goto(`/w/${acme.slug}`)
  await expect.poll(() => syncStatus(page)).toBe('online')
  await expect.poll(() => titles(page, 'shared-chats')).toEqual(['Plan the offsite'])
  await expect.poll(() => titles(page, 'private-chats')).toEqual(['My own notes'])
  shared.done()
  mine.done()
  sharedMessages.done()
  myMessages.done()

  // Export from the settings page: the browser saves the file the server names.
  await page.goto(`/w/${acme.slug}/settings`)
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export workspace' }).click(),
  ])
  expect(download.suggestedFilename()).toMatch(new RegExp(`^${acme.slug}-\\d{4}-\\d{2}-\\d{2}\\.workspace\\.json$`))
  const file = await download.path()
  expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ format: 'workspaces.workspace', version: 1 })

  // A file that is not an export is named as such before anything is sent.
  await page.goto('/workspaces/new')
  await page.getByLabel('Workspace file').setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"something else","version":1}'),
  })
  await page.getByText('Not a workspace file (expected format "workspaces.workspace")').waitFor()
  expect(await page.getByRole('button', { name: 'Import workspace' }).isDisabled()).toBe(true)

  // Import on the new-workspace page: checked, summarised, uploaded; Ben is invited, not added.
  await page.getByLabel('Workspace file').setInputFiles(file)
  await expect
    .poll(() => page.getByTestId('import-summary').textContent())
    .toBe('Acme: 1 sidekiq, 1 shared chat, 1 private chat, 2 members.')
  await page.getByRole('button', { name: 'Import workspace' }).click()
  await page.getByTestId('import-result').waitFor()
  expect(await page.getByTestId('invited').textContent()).toBe(`${emailB} (member)`)
  await page.getByRole('button', { name: 'Open Acme' }).click()
  await page.waitForURL((url) => /^\/w\/[^/]+$/.test(url.pathname) && url.pathname !== `/w/${acme.slug}`)
  const copySlug = new URL(page.url()).pathname.split('/')[2]

  // The new workspace shows the imported chats and sidekiq.
  await expect.poll(() => syncStatus(page)).toBe('online')
  await expect.poll(() => titles(page, 'shared-chats'), { timeout: 10_000 }).toEqual(['Plan the offsite'])
  await expect.poll(() => titles(page, 'private-chats')).toEqual(['My own notes'])
  await page.goto(`/w/${copySlug}/sidekiqs`)
  await expect.poll(() => sidekiqNames(page), { timeout: 10_000 }).toEqual(['Writer'])

  // A sidekiq goes the same way on its own: exported from its page, imported beside itself as "(2)".
  await page.getByTestId('sidekiq').getByRole('link', { name: 'Edit' }).click()
  const [sidekiqDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export' }).click(),
  ])
  expect(sidekiqDownload.suggestedFilename()).toMatch(/^Writer-\d{4}-\d{2}-\d{2}\.sidekiq\.json$/)
  await page.goto(`/w/${copySlug}/sidekiqs`)
  await page.getByLabel('Sidekiq file').setInputFiles(await sidekiqDownload.path())
  await expect.poll(() => sidekiqNames(page), { timeout: 10_000 }).toEqual(['Writer', 'Writer (2)'])

  // Ben is invited, not added: the copy is not among his workspaces until he accepts.
  const bens = await (await b.context.request.get(`${app.server.baseURL}/api/workspaces`)).json()
  expect(bens.workspaces.map((w: { slug: string }) => w.slug)).not.toContain(copySlug)

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
