import type { AnyRouter } from '@tanstack/react-router'

/** The longest registration waits for the page's load event. */
const REGISTER_AT_LATEST_MS = 5000

/**
 * Installs the offline service worker (public/sw.js) in production builds;
 * under `vite dev` there is none, so a stale worker never serves old code
 * while developing. Returns a function that stops following the router.
 *
 * The worker keeps every page the browser loads from the network. A page
 * reached without a page load (client-side navigation, or the page that was
 * open when the worker took over) is reported to it, so it can keep that
 * one too and an offline reload lands where the person was.
 */
export function registerServiceWorker(router: AnyRouter): () => void {
  if (!import.meta.env.PROD || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return () => {}
  const workers = navigator.serviceWorker
  const rememberThisPage = () => workers.controller?.postMessage({ type: 'remember-page', url: location.href })
  let registered = false
  const register = () => {
    if (registered) return
    registered = true
    // Registration failures (private mode, blocked storage) only mean no offline copy: the app works the same.
    workers.register('/sw.js', { scope: '/' }).catch(() => undefined)
    // A page that started loading while the worker was activating stays uncontrolled: ask it to claim us.
    void workers.ready.then((ready) => {
      if (!workers.controller) ready.active?.postMessage({ type: 'claim' })
    })
  }
  // After the page's own load, so the worker's downloads do not compete with it; but not later than a
  // few seconds from now: one request that never ends (a dead connection) would hold 'load' forever.
  let fallback: ReturnType<typeof setTimeout> | null = null
  if (document.readyState === 'complete') register()
  else {
    window.addEventListener('load', register, { once: true })
    fallback = setTimeout(register, REGISTER_AT_LATEST_MS)
  }
  workers.addEventListener('controllerchange', rememberThisPage)
  const unsubscribe = router.subscribe('onResolved', rememberThisPage)
  return () => {
    if (fallback) clearTimeout(fallback)
    window.removeEventListener('load', register)
    workers.removeEventListener('controllerchange', rememberThisPage)
    unsubscribe()
  }
}
