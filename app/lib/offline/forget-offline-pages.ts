/** The service worker's page caches (public/sw.js: PAGES_PREFIX): keep the two in step. */
const PAGES_CACHE_PREFIX = 'workspaces-offline:pages:'

/**
 * Deletes the pages the service worker kept for offline (on sign-out): they
 * show the person's name, email and workspaces. The worker is told too, so a
 * page it is fetching right now is not stored after this. Hashed assets
 * stay: they are the same for everyone.
 */
export async function forgetOfflinePages(): Promise<void> {
  if (typeof caches === 'undefined') return
  navigator.serviceWorker?.controller?.postMessage({ type: 'forget-pages' })
  const names = await caches.keys()
  await Promise.all(names.filter((name) => name.startsWith(PAGES_CACHE_PREFIX)).map((name) => caches.delete(name)))
}
