/**
 * `npm run bench`: the sync server against the reference
 * @y/websocket-server 0.1.1, same workloads, same machine, one after the
 * other. Ours runs with auth, persistence (PostgreSQL) and metrics on.
 * Prints figures; asserts nothing.
 */
import { BenchClient, BenchWriter } from './clients'
import { createBenchDatabase, startOurs, startReference, type BenchServer } from './servers'
import { kb, mb, ms, percentile } from './stats'

interface Workload {
  name: string
  rooms: number
  clientsPerRoom: number
  /** Rooms with a writer (the first N). */
  writerRooms: number
  editsPerSecond: number
  durationMs: number
}

const WORKLOADS: Workload[] = [
  {
    name: 'A: 100 rooms x 10 clients, 1 writer/room at 5 edits/s',
    rooms: 100,
    clientsPerRoom: 10,
    writerRooms: 100,
    editsPerSecond: 5,
    durationMs: 10_000,
  },
  {
    name: 'B: 1 room x 500 clients, 1 writer at 10 edits/s',
    rooms: 1,
    clientsPerRoom: 500,
    writerRooms: 1,
    editsPerSecond: 10,
    durationMs: 10_000,
  },
  {
    name: 'C: 2,000 rooms x 5 clients, mostly idle (20 writers at 1 edit/s)',
    rooms: 2000,
    clientsPerRoom: 5,
    writerRooms: 20,
    editsPerSecond: 1,
    durationMs: 10_000,
  },
]

interface Result {
  connections: number
  held: number
  connectP50: number
  connectP99: number
  fanoutP50: number
  fanoutP99: number
  deliveredPerSecond: number
  rssBaseline: number
  rssLoaded: number
  rssPerConnection: number
  diagnostics: string[]
}

/** What our node says about itself: where the memory is and what delays fan-out. */
function diagnostics(idle?: Map<string, number>, loaded?: Map<string, number>): string[] {
  if (!idle || !loaded) return []
  const persistP = (q: number) => {
    const count = loaded.get('sync_persist_latency_ms_count') ?? 0
    for (const [key, value] of loaded) {
      const le = /^sync_persist_latency_ms_bucket\{le="([^"]+)"\}$/.exec(key)?.[1]
      if (le && value >= count * q) return `<= ${le} ms`
    }
    return 'n/a'
  }
  return [
    `idle: heap used ${mb(idle.get('nodejs_heap_size_used_bytes') ?? 0)}, heap reserved ${mb(idle.get('nodejs_heap_size_total_bytes') ?? 0)}, external ${mb(idle.get('nodejs_external_memory_bytes') ?? 0)}`,
    `under load: persist p50 ${persistP(0.5)}, p99 ${persistP(0.99)}; event-loop delay p50 ${ms(loaded.get('nodejs_eventloop_delay_ms{quantile="0.5"}') ?? 0)}, p99 ${ms(loaded.get('nodejs_eventloop_delay_ms{quantile="0.99"}') ?? 0)}`,
  ]
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn))
}

const sleep = (msecs: number) => new Promise((r) => setTimeout(r, msecs))

async function runWorkload(server: BenchServer, rooms: string[], w: Workload, token?: string): Promise<Result> {
  const query = token ? `?token=${encodeURIComponent(token)}` : ''
  // Warm up (first auth, first query, JIT) so the baseline is a running server's.
  const warm = new BenchClient()
  await warm.connect(`${server.base}/${rooms[0]}${query}`)
  warm.close()
  await sleep(5000)
  const rssBaseline = server.rssBytes()
  const plan: { room: number; client: BenchClient }[] = []
  for (let r = 0; r < w.rooms; r++) {
    for (let c = 0; c < w.clientsPerRoom; c++) {
      plan.push({ room: r, client: c === 0 && r < w.writerRooms ? new BenchWriter() : new BenchClient() })
    }
  }
  const connectTimes: number[] = []
  await inBatches(plan, 100, async ({ room, client }) => {
    connectTimes.push(await client.connect(`${server.base}/${rooms[room]}${query}`))
  })

  // Idle connections: what holding them costs, before any edit. The wait
  // lets both servers' garbage collectors settle after the connect burst.
  await sleep(Number(process.env.BENCH_SETTLE_MS ?? 8000))
  const rssIdle = server.rssBytes()
  const idleMetrics = await server.metrics?.()

  const latencies: number[] = []
  const writers = new Map<number, BenchWriter>()
  for (const { room, client } of plan) if (client instanceof BenchWriter) writers.set(room, client)
  for (const { room, client } of plan) {
    const writer = writers.get(room)
    if (!writer || client === writer) continue
    client.onUpdate = (at) => {
      const sent = writer.sentAt[client.updates - 1]
      if (sent !== undefined) latencies.push(at - sent)
    }
  }

  // One timer drives every writer, staggered across the interval.
  const period = 1000 / w.editsPerSecond
  const list = [...writers.values()]
  const started = performance.now()
  let tick = 0
  await new Promise<void>((resolve) => {
    const slot = period / Math.max(1, list.length)
    const timer = setInterval(
      () => {
        const elapsed = performance.now() - started
        if (elapsed >= w.durationMs) {
          clearInterval(timer)
          return resolve()
        }
        const due = Math.floor(elapsed / slot)
        while (tick <= due) {
          list[tick % list.length]?.edit()
          tick++
        }
      },
      Math.max(1, Math.min(10, slot)),
    )
  })
  await sleep(1500)
  const receivers = plan.filter(({ client, room }) => writers.has(room) && !(client instanceof BenchWriter))
  const delivered = receivers.reduce((n, { client }) => n + client.updates, 0)
  const rssLoaded = server.rssBytes()
  const loadedMetrics = await server.metrics?.()
  const held = plan.filter(({ client }) => client.closedWith === null).length
  for (const { client } of plan) client.close()
  return {
    connections: plan.length,
    held,
    connectP50: percentile(connectTimes, 50),
    connectP99: percentile(connectTimes, 99),
    fanoutP50: percentile(latencies, 50),
    fanoutP99: percentile(latencies, 99),
    deliveredPerSecond: delivered / (w.durationMs / 1000),
    rssBaseline,
    rssLoaded,
    rssPerConnection: (rssIdle - rssBaseline) / plan.length,
    diagnostics: diagnostics(idleMetrics, loadedMetrics),
  }
}

function ratio(ours: number, ref: number) {
  return Number.isFinite(ours / ref) ? `${(ours / ref).toFixed(2)}x` : 'n/a'
}

function report(w: Workload, ours: Result, ref: Result) {
  const rows: [string, string, string, string][] = [
    ['connections held', `${ours.held}/${ours.connections}`, `${ref.held}/${ref.connections}`, ''],
    ['connect p50', ms(ours.connectP50), ms(ref.connectP50), ratio(ours.connectP50, ref.connectP50)],
    ['connect p99', ms(ours.connectP99), ms(ref.connectP99), ratio(ours.connectP99, ref.connectP99)],
    ['fan-out p50', ms(ours.fanoutP50), ms(ref.fanoutP50), ratio(ours.fanoutP50, ref.fanoutP50)],
    ['fan-out p99', ms(ours.fanoutP99), ms(ref.fanoutP99), ratio(ours.fanoutP99, ref.fanoutP99)],
    [
      'updates delivered/s',
      ours.deliveredPerSecond.toFixed(0),
      ref.deliveredPerSecond.toFixed(0),
      ratio(ours.deliveredPerSecond, ref.deliveredPerSecond),
    ],
    ['server RSS (loaded)', mb(ours.rssLoaded), mb(ref.rssLoaded), ratio(ours.rssLoaded, ref.rssLoaded)],
    [
      'RSS per connection',
      kb(ours.rssPerConnection),
      kb(ref.rssPerConnection),
      ratio(ours.rssPerConnection, ref.rssPerConnection),
    ],
  ]
  console.log(`\n${w.name}`)
  console.log(`  ${'metric'.padEnd(22)}${'workspaces'.padStart(14)}${'reference'.padStart(14)}${'ratio'.padStart(9)}`)
  for (const [k, a, b, c] of rows) console.log(`  ${k.padEnd(22)}${a.padStart(14)}${b.padStart(14)}${c.padStart(9)}`)
  for (const line of ours.diagnostics) console.log(`  workspaces ${line}`)
}

export async function runSyncBench(only?: string[]) {
  const workloads = WORKLOADS.filter((w) => !only?.length || only.includes(w.name[0]))
  const needed = workloads.reduce((n, w) => n + w.rooms, 0)
  const db = await createBenchDatabase(needed)
  console.log(`sync bench: ${workloads.length} workloads; ours with auth + PostgreSQL persistence + metrics`)
  try {
    let offset = 0
    for (const w of workloads) {
      const rooms = db.workspaceIds.slice(offset, offset + w.rooms).map((id) => `w/${id}`)
      offset += w.rooms
      const reference = await startReference()
      const ref = await runWorkload(reference, rooms, w).finally(() => reference.stop())
      const ours = await startOurs(db)
      const mine = await runWorkload(ours, rooms, w, db.token).finally(() => ours.stop())
      report(w, mine, ref)
    }
  } finally {
    await db.drop()
  }
}
