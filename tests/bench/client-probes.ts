/**
 * What the client bench watches for in the page, and when it first held:
 * an init script, so it runs from navigation start in every document. A
 * MutationObserver checks each probe after every DOM change and logs when it
 * turns on or off, with the DOM time and the time of the next animation
 * frame (the frame that paints it), both on the page's clock
 * (performance.now(), zero at navigation start).
 */
import type { BrowserContext, Page } from 'playwright-core'

export interface Probe {
  id: string
  /** A link in this sidebar list with `text`, or the last message containing it. */
  scope: 'shared-chats' | 'private-chats' | 'last-message'
  text: string
}

export interface ProbeEvent {
  id: string
  on: boolean
  dom: number
  frame?: number
}

/**
 * The init script: page source kept as text, since tsx's transform wraps
 * named functions in a helper (`__name`) that the page does not have.
 */
const PROBE_SCRIPT = `(probes) => {
  const log = []
  const state = new Map()
  window.__probes = log
  // Only the top of a list: the newest chats are there, and scanning a thousand links per change would weigh on what is measured.
  const TOP = 50
  const holds = (probe) => {
    if (probe.scope === 'last-message') {
      const all = document.querySelectorAll('[data-testid="message"]')
      return all.length > 0 && (all[all.length - 1].textContent || '').includes(probe.text)
    }
    const links = document.querySelectorAll('[data-testid="' + probe.scope + '"] a')
    for (let i = 0; i < Math.min(TOP, links.length); i++) {
      if ((links[i].textContent || '').includes(probe.text)) return true
    }
    return false
  }
  const check = () => {
    const now = performance.now()
    for (const probe of probes) {
      const on = holds(probe)
      if (on === (state.get(probe.id) || false)) continue
      state.set(probe.id, on)
      const event = { id: probe.id, on, dom: now }
      log.push(event)
      requestAnimationFrame(() => (event.frame = performance.now()))
    }
  }
  new MutationObserver(check).observe(document, { childList: true, subtree: true })
}`

/** Watches `probes` in every document the context opens from now on. */
export function installProbes(context: BrowserContext, probes: Probe[]) {
  return context.addInitScript({ content: `(${PROBE_SCRIPT})(${JSON.stringify(probes)})` })
}

/**
 * Resolves with the page time (next frame) at which every probe in `ids` is
 * on, having turned on at or after `since`.
 */
export async function whenProbes(page: Page, ids: string[], since = 0, timeout = 60_000): Promise<number> {
  const handle = await page.waitForFunction(
    ({ ids, since }) => {
      const log = (window as unknown as { __probes?: ProbeEvent[] }).__probes ?? []
      let at = 0
      for (const id of ids) {
        const last = log.filter((e) => e.id === id).at(-1)
        if (!last?.on || last.dom < since || last.frame === undefined) return false
        at = Math.max(at, last.frame)
      }
      return at
    },
    { ids, since },
    { polling: 50, timeout },
  )
  return (await handle.jsonValue()) as number
}
