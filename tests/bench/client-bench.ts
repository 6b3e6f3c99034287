/**
 * Client figures, measured in Chromium against the built app (`npm run
 * build`, then the production entry) on PostgreSQL:
 *
 * 1. a workspace of 1,000 chats and 20,000 messages shown from IndexedDB:
 *    from navigation start to the sidebar listing its newest chats, with the
 *    sync server unreachable (the page's websockets go nowhere); and a chat
 *    of 20 messages shown, by loading its page (one shown before on this
 *    device, whose copy is kept, and one shown for the first time, which
 *    waits for the whole room) and by clicking it in the sidebar;
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
import { availableParallelism, loadavg } from 'node:os'
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
  UNOPENED_CHATS,
  type SeededWorkspace,
} from './client-seed'
import { installProbes, whenProbes, type Probe } from './client-probes'
import { profileLoad } from './client-profile'
import { kb, mb, ms, percentile } from './stats'

// Each load also opens a chat not shown before, and the profile one more.
const LOADS = Math.min(Number(process.env.BENCH_CLIENT_LOADS ?? 10), UNOPENED_CHATS - 2)
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
    ...seeded.unopened.map((chat, i) => ({
      id: `${key}:first:${i}`,
      scope: 'last-message' as const,
      text: chat.lastMessageStart,
    })),
  ]
}

const sidebar = (key: string) => [`${key}:shared`, `${key}:private`]

/**
 * The CPU time of the page's main thread so far, ms (Chromium's ThreadTime:
 * it starts at zero with each document). The machine is shared, so wall
 * times vary with its load; this varies much less.
 */
async function mainThreadCpu(context: BrowserContext, page: Page): Promise<() => Promise<number>> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Performance.enable')
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    return (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000
  }
}

/** Wall time and main-thread CPU time of each sample. */
class Samples {
  readonly wall: number[] = []
  readonly cpu: number[] = []
  add(wall: number, cpu: number) {
    this.wall.push(wall)
    this.cpu.push(cpu)
  }
}

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
  /** Timed samples (ms), or one figure in `unit`. */
  samples?: Samples
  value?: number
  unit?: 'ms' | 'kb'
  goal?: number
}

function printTable(title: string, rows: Row[]) {
  console.log(`\n${title}`)
  const columns = ['p50', 'p90', 'cpu p50', 'goal', 'p50/goal']
  console.log(`  ${'metric'.padEnd(48)}${columns.map((c) => c.padStart(11)).join('')}`)
  for (const r of rows) {
    const format = r.unit === 'kb' ? kb : ms
    const figure = r.samples ? percentile(r.samples.wall, 50) : (r.value ?? NaN)
    const cells = r.samples
      ? [ms(figure), ms(percentile(r.samples.wall, 90)), ms(percentile(r.samples.cpu, 50))]
      : [format(figure), '', '']
    if (r.goal !== undefined) cells.push(format(r.goal), (figure / r.goal).toFixed(2))
    console.log(`  ${r.metric.padEnd(48)}${cells.map((c) => c.padStart(11)).join('')}`)
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

    const loadAtStart = loadavg()[0]

    // 1. From IndexedDB, the sync server unreachable: the page's websockets open onto nothing.
    const offline = await context.newPage()
    await offline.routeWebSocket(/\/sync\//, () => {})
    const offlineCpu = await mainThreadCpu(context, offline)
    const showWorkspace = new Samples()
    const openChat = new Samples()
    const loadChat = new Samples()
    const firstChat = new Samples()
    const htmlReceived: number[] = []
    const scriptsRun: number[] = []
    for (let i = 0; i <= LOADS; i++) {
      await offline.goto('about:blank')
      await offline.goto(`/w/${a.info.slug}`, { waitUntil: 'commit' })
      const shownAt = await whenProbes(offline, sidebar('a'))
      const shownCpu = await offlineCpu()
      const timing = await offline.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
        return { html: nav.responseEnd, scripts: nav.domContentLoadedEventEnd }
      })
      // From a click on a chat near the top of the sidebar to its last message shown.
      await pause(300)
      const clickCpu = await offlineCpu()
      const clickedAt = await offline.evaluate((title) => {
        const link = [...document.querySelectorAll('[data-testid="shared-chats"] a')].find((l) =>
          (l.textContent ?? '').includes(title),
        ) as HTMLAnchorElement
        const at = performance.now()
        link.click()
        return at
      }, a.seeded.sample.title)
      const openedAt = await whenProbes(offline, ['a:chat'], clickedAt)
      const openedCpu = await offlineCpu()
      // The first load warms the HTTP cache and the code: not counted.
      if (i > 0) {
        showWorkspace.add(shownAt, shownCpu)
        htmlReceived.push(timing.html)
        scriptsRun.push(timing.scripts)
        openChat.add(openedAt - clickedAt, openedCpu - clickCpu)
      }
    }
    for (let i = 0; i <= LOADS; i++) {
      await offline.goto('about:blank')
      await offline.goto(`/w/${a.info.slug}/c/${a.seeded.sample.id}`, { waitUntil: 'commit' })
      const at = await whenProbes(offline, ['a:chat'])
      if (i > 0) loadChat.add(at, await offlineCpu())
      await pause(200)
    }
    // A chat this device never showed: nothing kept of it, so it waits for the whole room.
    for (let i = 0; i <= LOADS; i++) {
      await offline.goto('about:blank')
      await offline.goto(`/w/${a.info.slug}/c/${a.seeded.unopened[i].id}`, { waitUntil: 'commit' })
      const at = await whenProbes(offline, [`a:first:${i}`])
      if (i > 0) firstChat.add(at, await offlineCpu())
      await pause(200)
    }
    if (process.env.BENCH_CLIENT_PROFILE) {
      // From a page of the same site, so the renderer (and the profiler in it) stays; a chat not shown before.
      const i = LOADS + 1
      await profileLoad(context, offline, 'a chat page loaded from IndexedDB, first time here', async () => {
        await offline.goto(`/w/${a.info.slug}/c/${a.seeded.unopened[i].id}`, { waitUntil: 'commit' })
        await whenProbes(offline, [`a:first:${i}`])
      })
    }
    await offline.close()

    // 2. Warm switches, alternating, with the network on.
    const live = await context.newPage()
    await live.goto(`/w/${a.info.slug}`)
    await whenProbes(live, sidebar('a'))
    const liveCpu = await mainThreadCpu(context, live)
    const switches = new Samples()
    const warmUp = 2
    for (let i = 0; i < SWITCHES + warmUp; i++) {
      const [to, key] = i % 2 === 0 ? [b, 'b'] : [a, 'a']
      await live.getByTestId('workspace-switcher').click()
      await live.getByTestId('workspace-list').getByRole('link', { name: to.info.name }).waitFor()
      const clickCpu = await liveCpu()
      const clickedAt = await live.evaluate((name) => {
        const option = [...document.querySelectorAll('[data-testid="workspace-list"] a')].find((l) =>
          (l.textContent ?? '').includes(name),
        ) as HTMLAnchorElement
        const at = performance.now()
        option.click()
        return at
      }, to.info.name)
      const at = await whenProbes(live, sidebar(key), clickedAt)
      const switchedCpu = await liveCpu()
      if (i >= warmUp) switches.add(at - clickedAt, switchedCpu - clickCpu)
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
        `of 200-800 characters, ${mb(roomBytes)} of Yjs state; ${LOADS} loads, ${SWITCHES} switches; ` +
        `load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${availableParallelism()} cores)`,
      [
        {
          metric: 'workspace shown from IndexedDB (nav -> sidebar)',
          samples: showWorkspace,
          goal: GOALS.showWorkspace,
        },
        { metric: 'chat page (20 messages), opened before', samples: loadChat },
        { metric: 'chat page (20 messages), first time here', samples: firstChat },
        { metric: 'chat opened from the sidebar (click -> shown)', samples: openChat },
        { metric: 'workspace switch, warm (click -> sidebar)', samples: switches, goal: GOALS.switchWorkspace },
        {
          metric: `initial JS of a chat page, gzip (${chunks.length} files)`,
          value: jsGzip,
          unit: 'kb',
          goal: GOALS.initialJsGzip,
        },
        { metric: 'initial JS of a chat page, uncompressed', value: jsRaw, unit: 'kb' },
        { metric: 'chat page cold, from the server (one load)', value: coldChat },
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
    console.log(
      `  workspace shown from IndexedDB, p50 of its steps: page HTML received at ${ms(percentile(htmlReceived, 50))}, ` +
        `scripts run (DOMContentLoaded) at ${ms(percentile(scriptsRun, 50))}, sidebar at ${ms(percentile(showWorkspace.wall, 50))}`,
    )
    console.log(
      `  workspace shown from IndexedDB, each load in order (page HTML received at): ${showWorkspace.wall.map((v, i) => `${v.toFixed(0)} (${htmlReceived[i].toFixed(0)})`).join(', ')} ms`,
    )
    console.log(`  content built and stored in ${ms(seedMs)}`)
    if (pageErrors.length) console.log(`  page errors: ${[...new Set(pageErrors)].join(' | ')}`)
  } finally {
    await browser?.close()
    await server.stop()
  }
}
