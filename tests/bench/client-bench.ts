/**
 * Client figures, measured in Chromium against the built app (`npm run
 * build`, then the production entry) on PostgreSQL:
 *
 * 1. a workspace of 1,000 chats and 20,000 messages shown from IndexedDB:
 *    from navigation start to the sidebar listing its newest chats, with the
 *    sync server unreachable (the page's websockets go nowhere); and a chat
 *    of 20 messages shown, by loading its page and by clicking it in the
 *    sidebar;
 * 2. a warm workspace switch: both workspaces loaded once in this browser,
 *    from clicking the other one in the switcher to its sidebar listing its
 *    chats (network on; the server holds what IndexedDB holds);
 * 3. the initial JavaScript of a chat page in a new browser context: every
 *    script response, gzipped at level 9 here.
 *
 * The content is built in Node with the shared/doc mutations and stored as
 * the server's rooms; the browser loads each workspace once from the server
 * and keeps it in IndexedDB, as the app does. Prints figures; asserts
 * nothing.
 */
import { spawnSync } from 'node:child_process'
import { gzipSync } from 'node:zlib'
import type { Browser, BrowserContext, Page, Response } from 'playwright-core'
import { startAppServer } from '../e2e/app-server'
import { launchBrowser } from '../e2e/browser'
import {
  buildWorkspace,
  CHATS,
  MESSAGES_PER_CHAT,
  PRIVATE_CHATS,
  storeWorkspace,
  type SeededWorkspace,
} from './client-seed'
import { installProbes, whenProbes, type Probe } from './client-probes'
import { kb, mb, ms, percentile } from './stats'

const LOADS = Number(process.env.BENCH_CLIENT_LOADS ?? 10)
const SWITCHES = Number(process.env.BENCH_CLIENT_SWITCHES ?? 20)
const GOALS = { showWorkspace: 1000, switchWorkspace: 200, initialJsGzip: 300 * 1024 }

interface WorkspaceInfo {
  id: string
  name: string
  slug: string
  isPersonal: boolean
}

interface Shown {
  info: WorkspaceInfo
  seeded: SeededWorkspace
}

const pause = (millis: number) => new Promise((r) => setTimeout(r, millis))

async function post(context: BrowserContext, baseURL: string, path: string, data: unknown) {
  const res = await context.request.post(`${baseURL}${path}`, { data, headers: { origin: baseURL } })
  if (!res.ok()) throw new Error(`${path} answered ${res.status()}: ${await res.text()}`)
  return res.json()
}

/** The probes of a workspace: its two newest chats listed, and its sample chat's last message shown. */
function probesOf(key: string, seeded: SeededWorkspace): Probe[] {
  return [
    { id: `${key}:shared`, scope: 'shared-chats', text: seeded.newestShared.title },
    { id: `${key}:private`, scope: 'private-chats', text: seeded.newestPrivate.title },
    { id: `${key}:chat`, scope: 'last-message', text: seeded.sample.lastMessageStart },
  ]
}

const sidebar = (key: string) => [`${key}:shared`, `${key}:private`]

/** The page's IndexedDB copy of a room, in bytes (the sum of its stored updates). */
function localBytes(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open(name)
        open.onerror = () => resolve(0)
        open.onsuccess = () => {
          const db = open.result
          if (!db.objectStoreNames.contains('updates')) return (db.close(), resolve(0))
          const all = db.transaction('updates').objectStore('updates').getAll()
          all.onsuccess = () => {
            db.close()
            resolve((all.result as Uint8Array[]).reduce((sum, u) => sum + u.byteLength, 0))
          }
          all.onerror = () => (db.close(), resolve(0))
        }
      }),
    name,
  )
}

/** Opens a workspace with the network on and waits until this browser keeps both its rooms. */
async function loadOnce(page: Page, userId: string, key: string, shown: Shown) {
  await page.goto(`/w/${shown.info.slug}`)
  await whenProbes(page, sidebar(key), 0, 120_000)
  const rooms = [
    { name: `workspaces:${userId}:w/${shown.info.id}`, bytes: shown.seeded.sharedUpdate.byteLength },
    { name: `workspaces:${userId}:w/${shown.info.id}/u/${userId}`, bytes: shown.seeded.privateUpdate.byteLength },
  ]
  const deadline = Date.now() + 60_000
  for (const room of rooms) {
    while ((await localBytes(page, room.name)) < room.bytes * 0.9) {
      if (Date.now() > deadline) throw new Error(`${room.name} never reached IndexedDB`)
      await pause(200)
    }
  }
}

interface Row {
  metric: string
  p50?: number
  p90?: number
  value?: string
  goal?: string
  ratio?: number
}

function printTable(title: string, rows: Row[]) {
  console.log(`\n${title}`)
  console.log(
    `  ${'metric'.padEnd(46)}${'p50'.padStart(11)}${'p90'.padStart(11)}${'goal'.padStart(12)}${'p50/goal'.padStart(10)}`,
  )
  for (const r of rows) {
    const p50 = r.value ?? (r.p50 === undefined ? '' : ms(r.p50))
    const p90 = r.p90 === undefined ? '' : ms(r.p90)
    const ratio = r.ratio === undefined ? '' : r.ratio.toFixed(2)
    console.log(
      `  ${r.metric.padEnd(46)}${p50.padStart(11)}${p90.padStart(11)}${(r.goal ?? '').padStart(12)}${ratio.padStart(10)}`,
    )
  }
}

export async function runClientBench() {
  // A fresh PostgreSQL database per run, as the e2e tests make them.
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'
  if (!process.env.BENCH_SKIP_BUILD) {
    const build = spawnSync('npm', ['run', 'build'], {
      stdio: 'ignore',
      env: { ...process.env, NODE_ENV: 'production' },
    })
    if (build.status !== 0) throw new Error('npm run build failed')
  }
  const server = await startAppServer()
  const baseURL = server.baseURL
  let browser: Browser | undefined
  const pageErrors: string[] = []
  try {
    browser = await launchBrowser()
    const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } })
    context.on('page', (page) => page.on('pageerror', (e) => pageErrors.push(e.message)))

    // One person (sign-ups are rate-limited), their personal workspace and one more.
    const signUp = await post(context, baseURL, '/api/auth/sign-up/email', {
      name: 'Bench',
      email: `bench-${Date.now().toString(36)}@example.test`,
      password: 'correct horse battery',
    })
    const userId = signUp.user.id as string
    await post(context, baseURL, '/api/auth/organization/create', {
      name: 'Beta Corp',
      slug: `beta-${Date.now().toString(36)}`,
    })
    const listed = await context.request.get(`${baseURL}/api/workspaces`)
    const { workspaces } = (await listed.json()) as { workspaces: WorkspaceInfo[] }
    const aInfo = workspaces.find((w) => w.isPersonal)!
    const bInfo = workspaces.find((w) => !w.isPersonal)!

    const seedStarted = performance.now()
    const a: Shown = { info: aInfo, seeded: buildWorkspace('Alpha', aInfo.id, userId, 1) }
    const b: Shown = { info: bInfo, seeded: buildWorkspace('Beta', bInfo.id, userId, 2) }
    for (const shown of [a, b]) await storeWorkspace(server.databaseUrl!, userId, shown.seeded)
    const seedMs = performance.now() - seedStarted
    const roomBytes = a.seeded.sharedUpdate.byteLength + a.seeded.privateUpdate.byteLength

    await installProbes(context, [...probesOf('a', a.seeded), ...probesOf('b', b.seeded)])

    // Both workspaces loaded once from the server: IndexedDB warm.
    const first = await context.newPage()
    await loadOnce(first, userId, 'a', a)
    await loadOnce(first, userId, 'b', b)
    await first.close()

    // 1. From IndexedDB, the sync server unreachable: the page's websockets open onto nothing.
    const offline = await context.newPage()
    await offline.routeWebSocket(/\/sync\//, () => {})
    const showWorkspace: number[] = []
    const openChat: number[] = []
    const loadChat: number[] = []
    for (let i = 0; i <= LOADS; i++) {
      await offline.goto('about:blank')
      await offline.goto(`/w/${a.info.slug}`, { waitUntil: 'commit' })
      const shownAt = await whenProbes(offline, sidebar('a'))
      // From a click on a chat near the top of the sidebar to its last message shown.
      await pause(300)
      const clickedAt = await offline.evaluate((title) => {
        const link = [...document.querySelectorAll('[data-testid="shared-chats"] a')].find((l) =>
          (l.textContent ?? '').includes(title),
        ) as HTMLAnchorElement
        const at = performance.now()
        link.click()
        return at
      }, a.seeded.sample.title)
      const openedAt = await whenProbes(offline, ['a:chat'], clickedAt)
      // The first load warms the HTTP cache and the code: not counted.
      if (i > 0) {
        showWorkspace.push(shownAt)
        openChat.push(openedAt - clickedAt)
      }
    }
    for (let i = 0; i <= LOADS; i++) {
      await offline.goto('about:blank')
      await offline.goto(`/w/${a.info.slug}/c/${a.seeded.sample.id}`, { waitUntil: 'commit' })
      const at = await whenProbes(offline, ['a:chat'])
      if (i > 0) loadChat.push(at)
      await pause(200)
    }
    await offline.close()

    // 2. Warm switches, alternating, with the network on.
    const live = await context.newPage()
    await live.goto(`/w/${a.info.slug}`)
    await whenProbes(live, sidebar('a'))
    const switches: number[] = []
    const warmUp = 2
    for (let i = 0; i < SWITCHES + warmUp; i++) {
      const [to, key] = i % 2 === 0 ? [b, 'b'] : [a, 'a']
      await live.getByTestId('workspace-switcher').click()
      await live.getByTestId('workspace-list').getByRole('link', { name: to.info.name }).waitFor()
      const clickedAt = await live.evaluate((name) => {
        const option = [...document.querySelectorAll('[data-testid="workspace-list"] a')].find((l) =>
          (l.textContent ?? '').includes(name),
        ) as HTMLAnchorElement
        const at = performance.now()
        option.click()
        return at
      }, to.info.name)
      const at = await whenProbes(live, sidebar(key), clickedAt)
      if (i >= warmUp) switches.push(at - clickedAt)
      // Let the rooms connect and settle, as between two switches by a person.
      await pause(500)
    }
    await live.close()

    // 3. The initial JavaScript of a chat page, in a new context: nothing cached, nothing in IndexedDB.
    const { cookies } = await context.storageState()
    const cold = await browser.newContext({
      baseURL,
      viewport: { width: 1280, height: 800 },
      storageState: { cookies, origins: [] },
    })
    await installProbes(cold, probesOf('a', a.seeded))
    const coldPage = await cold.newPage()
    const scripts: Promise<{ url: string; bytes: Buffer; encoding?: string }>[] = []
    coldPage.on('response', (response: Response) => {
      const type = response.headers()['content-type'] ?? ''
      if (response.request().resourceType() !== 'script' && !type.includes('javascript')) return
      scripts.push(
        response
          .body()
          .then((bytes) => ({ url: response.url(), bytes, encoding: response.headers()['content-encoding'] })),
      )
    })
    await coldPage.goto(`/w/${a.info.slug}/c/${a.seeded.sample.id}`, { waitUntil: 'commit' })
    const coldChat = await whenProbes(coldPage, ['a:chat'], 0, 120_000)
    await coldPage.waitForLoadState('load')
    await pause(1500)
    const chunks = (await Promise.all(scripts)).map((s) => ({
      name: new URL(s.url).pathname,
      raw: s.bytes.byteLength,
      gzip: gzipSync(s.bytes, { level: 9 }).byteLength,
      encoding: s.encoding,
    }))
    await cold.close()
    const jsGzip = chunks.reduce((sum, c) => sum + c.gzip, 0)
    const jsRaw = chunks.reduce((sum, c) => sum + c.raw, 0)
    const compressedByServer = chunks.some((c) => c.encoding)

    printTable(
      `client (Chromium against the built app on PostgreSQL; a workspace of ${CHATS.toLocaleString('en')} chats ` +
        `(${CHATS - PRIVATE_CHATS} shared, ${PRIVATE_CHATS} private), ${(CHATS * MESSAGES_PER_CHAT).toLocaleString('en')} messages ` +
        `of 200-800 characters, ${mb(roomBytes)} of Yjs state; ${LOADS} loads, ${SWITCHES} switches)`,
      [
        {
          metric: 'workspace shown from IndexedDB (nav -> sidebar)',
          p50: percentile(showWorkspace, 50),
          p90: percentile(showWorkspace, 90),
          goal: ms(GOALS.showWorkspace),
          ratio: percentile(showWorkspace, 50) / GOALS.showWorkspace,
        },
        {
          metric: 'chat page (20 messages) from IndexedDB',
          p50: percentile(loadChat, 50),
          p90: percentile(loadChat, 90),
        },
        {
          metric: 'chat opened from the sidebar (click -> shown)',
          p50: percentile(openChat, 50),
          p90: percentile(openChat, 90),
        },
        {
          metric: 'workspace switch, warm (click -> sidebar)',
          p50: percentile(switches, 50),
          p90: percentile(switches, 90),
          goal: ms(GOALS.switchWorkspace),
          ratio: percentile(switches, 50) / GOALS.switchWorkspace,
        },
        {
          metric: `initial JS of a chat page, gzip (${chunks.length} files)`,
          value: kb(jsGzip),
          goal: kb(GOALS.initialJsGzip),
          ratio: jsGzip / GOALS.initialJsGzip,
        },
        { metric: 'initial JS of a chat page, uncompressed', value: kb(jsRaw) },
        { metric: 'chat page cold, from the server (one load)', value: ms(coldChat) },
      ],
    )
    console.log(
      `  the server ${compressedByServer ? 'compresses' : 'does not compress'} scripts; ` +
        `largest (gzip): ${[...chunks]
          .sort((x, y) => y.gzip - x.gzip)
          .slice(0, 4)
          .map((c) => `${c.name.split('/').at(-1)} ${kb(c.gzip)}`)
          .join(', ')}`,
    )
    console.log(`  content built and stored in ${ms(seedMs)}`)
    if (pageErrors.length) console.log(`  page errors: ${[...new Set(pageErrors)].join(' | ')}`)
  } finally {
    await browser?.close()
    await server.stop()
  }
}
