/**
 * A CPU profile of one page load (Chromium's Profiler over CDP), summed
 * per function: where a slow load spends its main thread. Used by the
 * client bench with BENCH_CLIENT_PROFILE=1.
 */
import type { BrowserContext, Page } from 'playwright-core'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples?: number[]
  timeDeltas?: number[]
}

export interface ProfileLine {
  /** Function name and where it is: file name and line. */
  name: string
  selfMs: number
  totalMs: number
}

/** Self and total time per function (the total counts a recursive function once per sample). */
export function summarize(profile: Profile): ProfileLine[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').at(-1) ?? ''}:${n.callFrame.lineNumber + 1}`
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  for (let i = 0; i < samples.length; i++) {
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000
    let node = byId.get(samples[i])
    if (!node) continue
    self.set(label(node), (self.get(label(node)) ?? 0) + ms)
    const seen = new Set<string>()
    while (node) {
      const name = label(node)
      if (!seen.has(name)) total.set(name, (total.get(name) ?? 0) + ms)
      seen.add(name)
      const up = parent.get(node.id)
      node = up === undefined ? undefined : byId.get(up)
    }
  }
  return [...self.keys()]
    .map((name) => ({ name, selfMs: self.get(name) ?? 0, totalMs: total.get(name) ?? 0 }))
    .concat(
      [...total.keys()].filter((n) => !self.has(n)).map((name) => ({ name, selfMs: 0, totalMs: total.get(name)! })),
    )
}

/** Profiles `load` on `page` and prints the functions with the most self and total time. */
export async function profileLoad(context: BrowserContext, page: Page, title: string, load: () => Promise<void>) {
  const cdp = await context.newCDPSession(page)
  await cdp.send('Profiler.enable')
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
  await cdp.send('Profiler.start')
  await load()
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile }
  await cdp.detach()
  const lines = summarize(profile)
  const top = (key: 'selfMs' | 'totalMs', n: number) =>
    [...lines]
      .sort((a, b) => b[key] - a[key])
      .slice(0, n)
      .map((l) => `    ${l[key].toFixed(1).padStart(8)} ms  ${l.name}`)
      .join('\n')
  console.log(`\n  profile of ${title}: most self time\n${top('selfMs', 25)}\n  most total time\n${top('totalMs', 40)}`)
}
