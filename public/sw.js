/**
 * The Workspaces service worker: the app opens offline from what this device
 * last saw. Hashed assets are kept cache-first (their names change with their
 * content); workspace pages network-first, with the last copy as the offline
 * answer. The API, the sync socket, server functions and auth pages are never
 * touched: they are the person's live data and must come from the server.
 *
 * The content itself (chats, sidekiqs) is not here: it lives in IndexedDB
 * (the Yjs replicas). A cached page holds only the server-rendered frame
 * (viewer, workspace, workspace list), and is deleted on sign-out
 * (app/lib/offline/forget-offline-pages.ts).
 */

// Replaced at build time (vite.config.ts, serviceWorkerBuild): this build's id and its hashed assets.
// A new build changes these bytes, so browsers install the new worker, whose activation drops the old caches.
const BUILD = { id: 'dev', assets: [] }

// Also named in app/lib/offline/forget-offline-pages.ts: keep the two in step.
const CACHE_PREFIX = 'workspaces-offline:'
const PAGES_PREFIX = `${CACHE_PREFIX}pages:`
const ASSETS_CACHE = `${CACHE_PREFIX}assets:${BUILD.id}`
// Per build too: a page's HTML names the hashed assets of the build that rendered it.
const PAGES_CACHE = `${PAGES_PREFIX}${BUILD.id}`

const CACHED_AT = 'x-workspaces-cached-at'
// The longest the install waits for this build's assets before taking over.
const PRECACHE_WAIT_MS = 10_000
const MAX_PAGES = 60
// A page the tab reports as visited is fetched again at most this often (one render per page, not per click).
const REMEMBER_FRESH_MS = 5 * 60_000

// Bumped when the person's pages are forgotten (sign-out): a page fetched before that is not stored after it.
let generation = 0

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSETS_CACHE)
      // One by one: an asset that fails now is fetched (and kept) when first used. One that hangs (a
      // connection that died mid-request) must not hold the install, and with it the offline copy, forever.
      await Promise.race([
        Promise.allSettled(BUILD.assets.map((url) => cache.add(url))),
        new Promise((resolve) => setTimeout(resolve, PRECACHE_WAIT_MS)),
      ])
      // Take over at once, so the first visit is covered too.
      await self.skipWaiting()
    })(),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const current = new Set([ASSETS_CACHE, PAGES_CACHE])
      const names = await caches.keys()
      await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && !current.has(n)).map((n) => caches.delete(n)))
      await self.clients.claim()
    })(),
  )
})

self.addEventListener('fetch', (event) => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== self.location.origin || isNeverCached(url.pathname)) return
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(assetCacheFirst(request))
  } else if (request.mode === 'navigate') {
    event.respondWith(pageNetworkFirst(event, url))
  }
})

self.addEventListener('message', (event) => {
  const message = event.data
  if (!message || typeof message !== 'object') return
  if (message.type === 'claim') {
    // A page whose load began while this worker was activating is not claimed by activation: it asks.
    event.waitUntil(self.clients.claim())
  } else if (message.type === 'remember-page' && typeof message.url === 'string') {
    event.waitUntil(rememberVisitedPage(message.url))
  } else if (message.type === 'forget-pages') {
    generation += 1
    event.waitUntil(forgetPages())
  }
})

/** Live data and auth: straight to the network, never stored. */
function isNeverCached(pathname) {
  return (
    pathname.startsWith('/api/') ||
    pathname.startsWith('/sync') ||
    pathname.startsWith('/_serverFn') ||
    pathname === '/metrics' ||
    pathname === '/sw.js'
  )
}

/** Pages that show a workspace: the ones kept for offline. */
function isWorkspacePage(pathname) {
  return pathname.startsWith('/w/')
}

/** Sign-in, sign-up and invitations answer offline with the offline notice, never someone's workspace. */
function isAuthPage(pathname) {
  return pathname.startsWith('/sign-in') || pathname.startsWith('/sign-up') || pathname.startsWith('/invite/')
}

async function assetCacheFirst(request) {
  const cache = await caches.open(ASSETS_CACHE)
  const hit = await cache.match(request.url, { ignoreVary: true })
  if (hit) return hit
  const response = await fetch(request)
  if (response.ok && response.type === 'basic') await cache.put(request.url, response.clone())
  return response
}

async function pageNetworkFirst(event, url) {
  const key = pageKey(url)
  let response
  try {
    response = await fetch(event.request)
  } catch {
    return (await keptAnswer(url)) ?? offlineNotice()
  }
  // A gateway in front of a stopped server: as good as no network.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    return (await keptAnswer(url)) ?? response
  }
  if (isWorkspacePage(url.pathname)) {
    const kept = generation
    if (isStorablePage(response)) {
      event.waitUntil(storePage(key, response.clone(), kept))
    } else {
      // A redirect (signed out) or an error: the old copy is no longer what this page is.
      event.waitUntil(caches.open(PAGES_CACHE).then((cache) => cache.delete(key)))
    }
  }
  return response
}

/**
 * Offline: the same page if kept, else the last kept page of the same
 * workspace, else the last kept page of any. A fallback is a redirect, not
 * the other page's HTML under this address: the app hydrates the HTML it
 * gets against the address it is at, and the two must agree.
 */
async function keptAnswer(url) {
  if (isAuthPage(url.pathname)) return null
  const cache = await caches.open(PAGES_CACHE)
  const exact = await cache.match(pageKey(url))
  if (exact) return exact
  const workspace = /^\/w\/[^/]+/.exec(url.pathname)?.[0]
  const target = (workspace && (await lastKeptPage(cache, workspace))) || (await lastKeptPage(cache, null))
  return target ? Response.redirect(target, 302) : null
}

async function lastKeptPage(cache, workspacePath) {
  let best = null
  let bestAt = -1
  for (const request of await cache.keys()) {
    const { pathname } = new URL(request.url)
    if (workspacePath && pathname !== workspacePath && !pathname.startsWith(`${workspacePath}/`)) continue
    const response = await cache.match(request)
    const at = Number(response?.headers.get(CACHED_AT) ?? 0)
    if (at > bestAt) {
      best = request.url
      bestAt = at
    }
  }
  return best
}

function isStorablePage(response) {
  return (
    response.ok &&
    response.type === 'basic' &&
    !response.redirected &&
    (response.headers.get('content-type') ?? '').includes('text/html')
  )
}

function pageKey(url) {
  const key = new URL(url)
  key.hash = ''
  return key.href
}

async function storePage(key, response, kept) {
  const headers = new Headers(response.headers)
  headers.set(CACHED_AT, String(Date.now()))
  const body = await response.blob()
  if (kept !== generation) return
  const cache = await caches.open(PAGES_CACHE)
  await cache.put(key, new Response(body, { status: response.status, statusText: response.statusText, headers }))
  await trimPages(cache)
}

/** Oldest pages go first once there are more than MAX_PAGES. */
async function trimPages(cache) {
  const requests = await cache.keys()
  if (requests.length <= MAX_PAGES) return
  const dated = await Promise.all(
    requests.map(async (request) => ({
      request,
      at: Number((await cache.match(request))?.headers.get(CACHED_AT) ?? 0),
    })),
  )
  dated.sort((a, b) => a.at - b.at)
  await Promise.all(dated.slice(0, dated.length - MAX_PAGES).map(({ request }) => cache.delete(request)))
}

/**
 * The tab moved to a page without a page load (client-side navigation, or
 * the page this worker took over): fetch it once so it opens offline too.
 */
async function rememberVisitedPage(href) {
  let url
  try {
    url = new URL(href)
  } catch {
    return
  }
  if (url.origin !== self.location.origin || !isWorkspacePage(url.pathname)) return
  const key = pageKey(url)
  const cache = await caches.open(PAGES_CACHE)
  const kept = await cache.match(key)
  if (kept && Date.now() - Number(kept.headers.get(CACHED_AT) ?? 0) < REMEMBER_FRESH_MS) return
  const started = generation
  try {
    const response = await fetch(key, {
      credentials: 'same-origin',
      redirect: 'manual',
      headers: { accept: 'text/html' },
    })
    if (isStorablePage(response)) await storePage(key, response, started)
  } catch {
    // Offline or the server is away: the page stays as it was kept.
  }
}

async function forgetPages() {
  const names = await caches.keys()
  await Promise.all(names.filter((n) => n.startsWith(PAGES_PREFIX)).map((n) => caches.delete(n)))
}

function offlineNotice() {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline · Workspaces</title></head>
<body style="font-family:system-ui,sans-serif;color:#18181b;display:flex;justify-content:center;margin:0">
<main style="max-width:28rem;margin-top:6rem;padding:0 1.5rem;text-align:center" data-testid="offline-notice">
<h1 style="font-size:1.25rem;font-weight:600">You are offline</h1>
<p style="color:#52525b;font-size:.875rem">This page is not on this device. Connect to the internet and try again.</p>
<p><a href="" style="color:#4f46e5;font-size:.875rem">Try again</a></p>
</main></body></html>`
  return new Response(html, { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } })
}
