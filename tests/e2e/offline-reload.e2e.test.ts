import { createServer, connect, type Server, type Socket } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { startAppServer } from './app-server'
import { launchBrowser, newWatchedContext } from './browser'
import { callAs, signUpThroughPage, syncStatus } from './people'

/**
 * A network cable between the browser and the app: a TCP pass-through on its
 * own port. Unplugged, nothing at the app's origin answers (pages, assets,
 * server functions, the sync socket, and the service worker's own fetches),
 * so whatever the page still shows came from the device. The server keeps
 * running, so the online phase after it is the same origin and database.
 */
async function openCable() {
  let target = 0
  let listener: Server | null = null
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const plug = (port: number) =>
    new Promise<number>((resolve, reject) => {
      listener = createServer((client) => {
        const upstream = connect(target, '127.0.0.1')
        track(client)
        track(upstream)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
        client.pipe(upstream).pipe(client)
      })
      listener.once('error', reject)
      listener.listen(port, '127.0.0.1', () => resolve((listener!.address() as { port: number }).port))
    })
  const port = await plug(0)
  return {
    url: `http://127.0.0.1:${port}`,
    connectTo(appBaseURL: string) {
      target = Number(new URL(appBaseURL).port)
    },
    async unplug() {
      const closing = listener
      listener = null
      sockets.forEach((s) => s.destroy())
      await new Promise<void>((resolve) => (closing ? closing.close(() => resolve()) : resolve()))
    },
    /** Plugged back in (a no-op when it is). */
    plug: async () => {
      if (!listener) await plug(port)
    },
  }
}

let server: Awaited<ReturnType<typeof startAppServer>>
let cable: Awaited<ReturnType<typeof openCable>>
let browser: Browser

beforeAll(async () => {
  cable = await openCable()
  // The browser's origin is the cable's: better-auth must trust it.
  server = await startAppServer({ env: { BETTER_AUTH_URL: cable.url } })
  cable.connectTo(server.baseURL)
  browser = await launchBrowser()
})

// A failed test must not leave the next one unplugged.
afterEach(() => cable.plug())

afterAll(async () => {
  await browser?.close()
  await cable?.unplug()
  await server?.stop()
})

/** Asks in the open chat through the composer and waits for the demo model's answer. */
async function askAndAwaitAnswer(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
  await page.locator('[data-role="assistant"][data-status="done"]').first().waitFor({ timeout: 20_000 })
}

/** The errors a page logged, less those that going offline on purpose causes. */
const unexpected = (errors: string[]) => errors.filter((e) => !offlineNoise.test(e))

const userMessage = (page: Page, text: string) => page.locator('[data-role="user"]', { hasText: text }).first()
const controlled = async (page: Page) => {
  try {
    await page.waitForFunction(() => !!navigator.serviceWorker?.controller)
  } catch (error) {
    // What the worker was doing when it did not take over, for the failure's message.
    const state = await page.evaluate(async () => {
      const registrations = await navigator.serviceWorker.getRegistrations()
      return JSON.stringify({
        url: location.href,
        readyState: document.readyState,
        registrations: registrations.map((r) => ({
          installing: r.installing?.state ?? null,
          waiting: r.waiting?.state ?? null,
          active: r.active?.state ?? null,
        })),
      })
    })
    throw new Error(`the service worker did not take over the page: ${state}`, { cause: error })
  }
}
/** Whether the service worker keeps a copy of this address for offline. */
const keptPage = (page: Page, href: string) =>
  page.evaluate(async (url) => {
    for (const name of await caches.keys()) {
      if (name.startsWith('workspaces-offline:pages:') && (await (await caches.open(name)).match(url))) return true
    }
    return false
  }, href)
const pageCaches = (page: Page) =>
  page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith('workspaces-offline:pages:')))
// Offline on purpose: failed loads, the refused socket, the offline notice's 503.
const offlineNoise = /WebSocket|ERR_INTERNET_DISCONNECTED|net::ERR|status of 503/

test('the service worker is served from the root, revalidated on every check, with this build’s assets', async () => {
  const res = await fetch(`${cable.url}/sw.js`)
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-cache')
  const source = await res.text()
  const build = JSON.parse(/const BUILD = (\{.*\})/.exec(source)?.[1] ?? 'null') as { id: string; assets: string[] }
  expect(build.id).toMatch(/^[0-9a-f]{12}$/)
  expect(build.assets.some((a) => /^\/assets\/.+\.css$/.test(a))).toBe(true)
  expect(build.assets.every((a) => a.startsWith('/assets/'))).toBe(true)
  for (const asset of build.assets.slice(0, 3)) expect((await fetch(`${cable.url}${asset}`)).status).toBe(200)
})

test('a reload offline shows the last state from the device; edits made offline reach the server once back online', async () => {
  const { context, errors } = await newWatchedContext(browser, cable.url)
  const page = await context.newPage()
  await signUpThroughPage(page, 'Olive')
  const home = new URL(page.url()).pathname
  await controlled(page)
  await expect.poll(() => syncStatus(page)).toBe('online')
  // A second workspace, never opened on this device.
  const elsewhere = await callAs(context, cable.url, '/api/auth/organization/create', {
    name: 'Elsewhere',
    slug: `elsewhere-${Date.now().toString(36)}`,
  })

  // A chat through the UI, answered by the demo model.
  await page.getByRole('button', { name: 'New chat' }).click()
  await page.waitForURL(/\/c\//)
  const chatPath = new URL(page.url()).pathname
  await askAndAwaitAnswer(page, 'Remember the milk')
  const answer = await page.locator('[data-role="assistant"]').last().textContent()
  expect(answer?.length).toBeGreaterThan(10)
  // The chat page was reached client-side: the worker was told and keeps it.
  await expect.poll(() => keptPage(page, page.url()), { timeout: 10_000 }).toBe(true)

  // The network goes, all of it: the browser says offline, and nothing answers at the origin.
  await context.setOffline(true)
  await cable.unplug()
  await expect(fetch(`${cable.url}/api/health`)).rejects.toThrow()
  await page.reload()
  expect(new URL(page.url()).pathname).toBe(chatPath)
  // The frame (from the kept page), the chat list and the messages (from IndexedDB).
  await expect.poll(() => syncStatus(page), { timeout: 15_000 }).toBe('offline')
  await page.getByTestId('chat-list').locator(`a[href="${chatPath}"]`).waitFor()
  await userMessage(page, 'Remember the milk').waitFor()
  expect(await page.locator('[data-role="assistant"]').last().textContent()).toBe(answer)
  expect(await page.getByTestId('viewer-name').textContent()).toBe('Olive')

  // Written offline: it shows at once, kept on the device.
  await page.getByLabel('Message').fill('Written offline')
  await page.getByRole('button', { name: 'Send' }).click()
  await userMessage(page, 'Written offline').waitFor()

  // Around the workspace client-side, offline: the layout's loader answers from the kept shell.
  await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true))
  await page.getByRole('link', { name: 'Home', exact: true }).click()
  await page.waitForURL((url) => url.pathname === home)
  await page.getByTestId('workspace-title').waitFor()
  expect(await page.getByTestId('workspace-title').textContent()).toContain('Olive')
  // Pages that are the server's live data say so instead of failing.
  await page.getByRole('link', { name: 'Usage', exact: true }).click()
  await page.waitForURL((url) => url.pathname === `${home}/usage`)
  await page.getByTestId('not-available-offline').waitFor()
  await page.getByTestId('chat-list').locator(`a[href="${chatPath}"]`).click()
  await page.waitForURL((url) => url.pathname === chatPath)
  await userMessage(page, 'Written offline').waitFor()
  await userMessage(page, 'Remember the milk').waitFor()
  // A workspace this device never opened says so, and going back works.
  await page.getByTestId('workspace-switcher').click()
  await page
    .getByTestId('workspace-list')
    .getByRole('link', { name: /Elsewhere/ })
    .click()
  await page.waitForURL((url) => url.pathname === `/w/${elsewhere.slug}`)
  await page.getByTestId('not-on-device').waitFor()
  expect(await page.getByTestId('not-on-device').textContent()).toContain(
    'You are offline and this workspace is not on this device',
  )
  await page.goBack()
  await page.waitForURL((url) => url.pathname === chatPath)
  await userMessage(page, 'Written offline').waitFor()
  expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
  // A fresh open of a page never visited lands on a kept page of the same workspace.
  await page.goto(`${home}/usage`)
  expect([home, chatPath]).toContain(new URL(page.url()).pathname)
  await page.getByTestId('chat-list').locator(`a[href="${chatPath}"]`).waitFor()
  await expect.poll(() => syncStatus(page), { timeout: 15_000 }).toBe('offline')

  // Back online: the indicator says so by itself, and the offline message reaches the server.
  await cable.plug()
  await context.setOffline(false)
  await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toBe('online')
  const { cookies } = await context.storageState()
  const fresh = await newWatchedContext(browser, cable.url)
  await fresh.context.addCookies(cookies)
  const freshPage = await fresh.context.newPage()
  await freshPage.goto(chatPath)
  expect(await freshPage.evaluate(() => navigator.serviceWorker?.controller ?? null)).toBeNull()
  await userMessage(freshPage, 'Written offline').waitFor({ timeout: 15_000 })
  await userMessage(freshPage, 'Remember the milk').waitFor()

  expect(unexpected(errors)).toEqual([])
  expect(fresh.errors).toEqual([])
  await fresh.context.close()
  await context.close()
})

test('offline, a new chat gets its own room on the device, is asked in and renamed; back online, the answer comes', async () => {
  const { context, errors } = await newWatchedContext(browser, cable.url)
  const page = await context.newPage()
  await signUpThroughPage(page, 'Otto')
  await controlled(page)
  await expect.poll(() => syncStatus(page)).toBe('online')

  await context.setOffline(true)
  await cable.unplug()
  await expect.poll(() => syncStatus(page), { timeout: 15_000 }).toBe('offline')
  // Created and asked in offline: the index entry and the chat's room are both on the device.
  await page.getByRole('button', { name: 'Private' }).click()
  await page.waitForURL(/\/c\//)
  const chatPath = new URL(page.url()).pathname
  await page.getByLabel('Message').fill('Asked while offline')
  await page.getByRole('button', { name: 'Send' }).click()
  await userMessage(page, 'Asked while offline').waitFor()
  await page.getByTestId('pending-generation').waitFor()
  const chatItem = page.getByTestId('private-chats').getByRole('listitem').first()
  await chatItem.hover()
  await chatItem.getByRole('button', { name: 'Chat actions' }).click()
  await page.getByRole('menuitem', { name: 'Rename' }).click()
  await page.getByLabel('Chat title').fill('Offline plans')
  await page.getByLabel('Chat title').press('Enter')
  await expect.poll(() => page.getByTestId('chat-title').textContent()).toBe('Offline plans')

  // Back online: the queued request goes out for the chat's room, and the answer streams in.
  await cable.plug()
  await context.setOffline(false)
  await expect.poll(() => syncStatus(page), { timeout: 20_000 }).toBe('online')
  await page.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 30_000 })
  expect(await page.getByTestId('pending-generation').count()).toBe(0)

  // The server has it all: a fresh device of the same person sees the chat, its title, question and answer.
  const { cookies } = await context.storageState()
  const fresh = await newWatchedContext(browser, cable.url)
  await fresh.context.addCookies(cookies)
  const freshPage = await fresh.context.newPage()
  await freshPage.goto(chatPath)
  await userMessage(freshPage, 'Asked while offline').waitFor({ timeout: 15_000 })
  await freshPage.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 15_000 })
  expect(await freshPage.getByTestId('chat-title').textContent()).toBe('Offline plans')

  expect(unexpected(errors)).toEqual([])
  expect(fresh.errors).toEqual([])
  await fresh.context.close()
  await context.close()
})

test('after sign-out, the device shows nothing of the person offline', async () => {
  const { context, errors } = await newWatchedContext(browser, cable.url)
  const page = await context.newPage()
  await signUpThroughPage(page, 'Sigrid')
  await controlled(page)
  await expect.poll(() => syncStatus(page)).toBe('online')
  await page.getByRole('button', { name: 'New chat' }).click()
  await page.waitForURL(/\/c\//)
  const chatPath = new URL(page.url()).pathname
  await askAndAwaitAnswer(page, 'A private matter')
  await expect.poll(() => keptPage(page, page.url()), { timeout: 10_000 }).toBe(true)
  // The server titles the chat after answering: that update lands before signing out.
  await page.getByTestId('chat-list').getByRole('link', { name: 'A private matter' }).waitFor()

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.waitForURL(/\/sign-in/)
  expect(await pageCaches(page)).toEqual([])
  const localCopies = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''))
  expect(localCopies.filter((name) => name.startsWith('workspaces:'))).toEqual([])

  // Offline, the chat's address shows the offline notice: no page, no frame, no content.
  await context.setOffline(true)
  await cable.unplug()
  await page.goto(chatPath)
  await page.getByTestId('offline-notice').waitFor()
  expect(await page.getByText('A private matter').count()).toBe(0)
  expect(await page.getByText('Sigrid').count()).toBe(0)
  await page.goto('/')
  await page.getByTestId('offline-notice').waitFor()

  await cable.plug()
  await context.setOffline(false)
  expect(unexpected(errors)).toEqual([])
  await context.close()
})
