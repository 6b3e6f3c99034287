/**
 * The scale bench's browser figures, measured in Chromium against the built
 * app (`npm run build`, then the production entry) on PostgreSQL, with two
 * workspaces of 5,000 chats and 100,000 messages each (scale-seed.ts),
 * stored before the browser first opens them:
 *
 * 1. the workspace shown from IndexedDB: from navigation start to the
 *    sidebar listing its newest shared and private chats, the sync server
 *    unreachable (the page's websockets go nowhere);
 * 2. a kept chat, offline: a chat opened once before on this device, opened
 *    from the sidebar with the sync server unreachable (click to its last
 *    message shown; the workspace page loaded a second before), and its page
 *    loaded (navigation start to its last message shown);
 * 3. a chat never shown on this device, online (listed in the sidebar, not
 *    among the chats the device keeps): opened from the sidebar, and its
 *    page loaded, as in 2;
 * 4. a warm workspace switch: both workspaces loaded once in this browser,
 *    from clicking the other one in the switcher to its sidebar listing its
 *    chats (network on).
 *
 * Times are the page's own (performance.now(), zero at navigation start;
 * the frame after the DOM showed it), as in the client bench. Prints
 * figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process'
import { availableParallelism, loadavg } from 'node:os'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { createDatabase } from '../../db/client'
import { startAppServer } from '../e2e/app-server'
import { launchBrowser } from '../e2e/browser'
import { installProbes, whenProbes, type Probe } from './client-probes'
import { ScaleWorkspace, type ScaleChat } from './scale-seed'
import { ms, percentile } from './stats'

const CHATS = Number(process.env.BENCH_SCALE_CHATS ?? 5_000)
const LOADS = Number(process.env.BENCH_CLIENT_LOADS ?? 10)
const SWITCHES = Number(process.env.BENCH_CLIENT_SWITCHES ?? 20)
const GOALS = { showWorkspace: 300, firstChat: 300, keptChat: 150, switchWorkspace: 100 }

interface WorkspaceInfo {
  id: string
  name: string
  slug: string
  isPersonal: boolean
}

interface Shown {
  key: string
  info: WorkspaceInfo
  seeded: ScaleWorkspace
  newestShared: ScaleChat
  newestPrivate: ScaleChat
  /** Opened once online, then loaded offline. */
  kept: ScaleChat
  /** Old shared chats (outside what the app keeps on its own), each opened once: never shown here before. */
  unopened: ScaleChat[]
  /** Shared chats in the sidebar's first hundred but not among the 50 most recent the app keeps: one per click. */
  listedUnkept: ScaleChat[]
}

const pause = (millis: number) => new Promise((r) => setTimeout(r, millis))

async function post(context: BrowserContext, baseURL: string, path: string, data: unknown) {
  const res = await context.request.post(`${baseURL}${path}`, { data, headers: { origin: baseURL } })
  if (!res.ok()) throw new Error(`${path} answered ${res.status()}: ${await res.text()}`)
  return res.json()
}

function shownOf(key: string, info: WorkspaceInfo, seeded: ScaleWorkspace): Shown {
  const shared = seeded.chats.filter((c) => c.shared)
  return {
    key,
    info,
    seeded,
    newestShared: shared.at(-1)!,
    newestPrivate: seeded.chats.filter((c) => !c.shared).at(-1)!,
    kept: shared.at(-3)!,
    unopened: shared.slice(1000, 1000 + LOADS + 1),
    listedUnkept: shared.slice(-60 - LOADS - 1, -60).reverse(),
  }
}

function probesOf(s: Shown): Probe[] {
  return [
    { id: `${s.key}:shared`, scope: 'shared-chats', text: s.newestShared.title },
    { id: `${s.key}:private`, scope: 'private-chats', text: s.newestPrivate.title },
    { id: `${s.key}:kept`, scope: 'last-message', text: s.kept.lastMessageStart },
    ...s.unopened.map((chat, i) => ({
      id: `${s.key}:first:${i}`,
      scope: 'last-message' as const,
      text: chat.lastMessageStart,
    })),
    ...s.listedUnkept.map((chat, i) => ({
      id: `${s.key}:listed:${i}`,
      scope: 'last-message' as const,
      text: chat.lastMessageStart,
    })),
  ]
}

const sidebar = (s: Shown) => [`${s.key}:shared`, `${s.key}:private`]

/** The bytes of the page's IndexedDB copy of a room (its stored updates). */
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

async function whenLocal(page: Page, name: string, bytes: number) {
  const deadline = Date.now() + 120_000
  while ((await localBytes(page, name)) < bytes) {
    if (Date.now() > deadline) throw new Error(`${name} never reached IndexedDB`)
    await pause(200)
  }
}

/** Opens a workspace and its kept chat with the network on; waits until this browser keeps them. */
async function loadOnce(page: Page, userId: string, s: Shown) {
  await page.goto(`/w/${s.info.slug}`)
  await whenProbes(page, sidebar(s), 0, 120_000)
  const local = (room: string) => `workspaces:${userId}:${room}`
  await whenLocal(page, local(s.seeded.sharedRoom), s.seeded.indexBytes('shared') * 0.9)
  await whenLocal(page, local(s.seeded.privateRoom), s.seeded.indexBytes('mine') * 0.9)
  try {
    await page.goto(`/w/${s.info.slug}/c/${s.kept.id}`)
    await whenProbes(page, [`${s.key}:kept`], 0, 30_000)
    await whenLocal(page, local(s.kept.room), 4_000)
  } catch (error) {
    // The kept-chat figure then says n/a; the workspace figures still hold.
    console.log(`  ${s.key}: the chat to keep did not show or was not kept: ${String(error).split('\n')[0]}`)
  }
}

/** What a figure's samples came to: the times, or why there are none. */
type Figure = number[] | Error

/** Loads `path` LOADS + 1 times (the first warms caches, not counted) and times `probes`. */
async function timeLoads(page: Page, path: (i: number) => string, probes: (i: number) => string[]): Promise<Figure> {
  const samples: number[] = []
  try {
    for (let i = 0; i <= LOADS; i++) {
      await page.goto('about:blank')
      await page.goto(path(i), { waitUntil: 'commit' })
      const at = await whenProbes(page, probes(i), 0, 20_000)
      if (i > 0) samples.push(at)
      await pause(300)
    }
    return samples
  } catch (error) {
    // One figure the app cannot show (yet) must not cost the others.
    return error instanceof Error ? error : new Error(String(error))
  }
}

/**
 * Loads `path` LOADS + 1 times (the first not counted) and, a second after
 * `ready` holds (the person finds the chat), clicks the shared chat link
 * titled `chat(i).title`; times the click to `probe(i)`.
 */
async function timeClicks(
  page: Page,
  path: string,
  ready: string[],
  chat: (i: number) => ScaleChat,
  probe: (i: number) => string,
): Promise<Figure> {
  const samples: number[] = []
  try {
    for (let i = 0; i <= LOADS; i++) {
      await page.goto('about:blank')
      await page.goto(path, { waitUntil: 'commit' })
      await whenProbes(page, ready, 0, 20_000)
      await pause(1000)
      const clickedAt = await page.evaluate((title) => {
        const link = [...document.querySelectorAll('[data-testid="shared-chats"] a')].find((l) =>
          (l.textContent ?? '').includes(title),
        ) as HTMLAnchorElement | undefined
        if (!link) throw new Error(`no sidebar link for ${title}`)
        const at = performance.now()
        link.click()
        return at
      }, chat(i).title)
      const at = await whenProbes(page, [probe(i)], clickedAt, 20_000)
      if (i > 0) samples.push(at - clickedAt)
      await pause(300)
    }
    return samples
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

export async function runScaleBrowserBench() {
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

    const storage = createDatabase(server.databaseUrl)
    const built: ScaleWorkspace[] = []
    try {
      for (const [info, seed] of [
        [aInfo, 31],
        [bInfo, 32],
      ] as const) {
        const w = new ScaleWorkspace(info.id, userId, seed)
        await w.addChats(storage.db, CHATS, CHATS)
        await w.storeIndexes(storage.db)
        built.push(w)
      }
    } finally {
      await storage.close()
    }
    const a = shownOf('a', aInfo, built[0])
    const b = shownOf('b', bInfo, built[1])
    await installProbes(context, [...probesOf(a), ...probesOf(b)])

    // Both workspaces, and one chat of each, loaded once from the server: IndexedDB warm.
    const first = await context.newPage()
    await loadOnce(first, userId, a)
    await loadOnce(first, userId, b)
    await first.close()
    const loadAtStart = loadavg()[0]

    // Offline: the page's websockets open onto nothing.
    const offline = await context.newPage()
    await offline.routeWebSocket(/\/sync\//, () => {})
    const showWorkspace = await timeLoads(
      offline,
      () => `/w/${a.info.slug}`,
      () => sidebar(a),
    )
    const keptChat = await timeClicks(
      offline,
      `/w/${a.info.slug}`,
      sidebar(a),
      () => a.kept,
      () => 'a:kept',
    )
    const keptChatPage = await timeLoads(
      offline,
      () => `/w/${a.info.slug}/c/${a.kept.id}`,
      () => [`a:kept`],
    )
    await offline.close()

    // Online: chats this device never showed, one per load.
    const online = await context.newPage()
    const firstChat = await timeClicks(
      online,
      `/w/${a.info.slug}`,
      sidebar(a),
      (i) => a.listedUnkept[i],
      (i) => `a:listed:${i}`,
    )
    const firstChatPage = await timeLoads(
      online,
      (i) => `/w/${a.info.slug}/c/${a.unopened[i].id}`,
      (i) => [`a:first:${i}`],
    )

    // Warm switches, alternating, with the network on.
    await online.goto(`/w/${a.info.slug}`)
    await whenProbes(online, sidebar(a))
    const switchTimes: number[] = []
    let switches: Figure = switchTimes
    const warmUp = 2
    for (let i = 0; i < SWITCHES + warmUp && switches === switchTimes; i++) {
      try {
        const to = i % 2 === 0 ? b : a
        await online.getByTestId('workspace-switcher').click()
        await online.getByTestId('workspace-list').getByRole('link', { name: to.info.name }).waitFor()
        const clickedAt = await online.evaluate((name) => {
          const option = [...document.querySelectorAll('[data-testid="workspace-list"] a')].find((l) =>
            (l.textContent ?? '').includes(name),
          ) as HTMLAnchorElement
          const at = performance.now()
          option.click()
          return at
        }, to.info.name)
        const at = await whenProbes(online, sidebar(to), clickedAt, 20_000)
        if (i >= warmUp) switchTimes.push(at - clickedAt)
      } catch (error) {
        switches = error instanceof Error ? error : new Error(String(error))
      }
      // Let the rooms connect and settle, as between two switches by a person.
      await pause(500)
    }
    await online.close()

    // A chat's page load starts as every page does (HTML, scripts, hydration): its goal is the page's, 300 ms.
    const rows: [string, Figure, number][] = [
      ['workspace shown from IndexedDB (nav -> sidebar), offline', showWorkspace, GOALS.showWorkspace],
      ['a chat never shown on this device, online (click -> last message)', firstChat, GOALS.firstChat],
      ['  its page loaded (nav -> last message)', firstChatPage, GOALS.showWorkspace],
      ['a kept chat, offline (click -> last message)', keptChat, GOALS.keptChat],
      ['  its page loaded (nav -> last message)', keptChatPage, GOALS.showWorkspace],
      ['workspace switch, warm (click -> sidebar)', switches, GOALS.switchWorkspace],
    ]
    console.log(
      `\nscale, browser (Chromium against the built app on PostgreSQL; two workspaces of ${CHATS.toLocaleString('en')} chats, ` +
        `${(CHATS * 20).toLocaleString('en')} messages each; ${LOADS} loads, ${SWITCHES} switches; load average ` +
        `${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end, on ${availableParallelism()} cores)`,
    )
    console.log(`  ${'figure'.padEnd(72)}${['p50', 'p90', 'goal', 'p50/goal'].map((c) => c.padStart(11)).join('')}`)
    for (const [metric, samples, goal] of rows) {
      if (samples instanceof Error) {
        console.log(`  ${metric.padEnd(72)}${'n/a'.padStart(11)}  (${samples.message.split('\n')[0]})`)
        continue
      }
      const cells = [ms(percentile(samples, 50)), ms(percentile(samples, 90)), ms(goal)]
      cells.push((percentile(samples, 50) / goal).toFixed(2))
      console.log(`  ${metric.padEnd(72)}${cells.map((c) => c.padStart(11)).join('')}`)
    }
    if (pageErrors.length) console.log(`  page errors: ${[...new Set(pageErrors)].join(' | ')}`)
    for (const w of built) w.destroy()
  } finally {
    await browser?.close()
    await server.stop()
  }
}
