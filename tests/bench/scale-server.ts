/**
 * The server side of the scale bench, in a process of its own as in
 * production: the sync server over PostgreSQL (DATABASE_URL), mounted as
 * the standalone node mounts it, plus what the bench reads of this process
 * from outside, over HTTP:
 *
 * - GET  /bench/heap: V8 heap in use after a full collection (run with --expose-gc);
 * - POST /bench/loop/reset, GET /bench/loop: the longest event-loop block
 *   since the reset, seen two ways (perf_hooks' delay histogram, and a 5 ms
 *   timer's drift);
 * - POST /bench/gc/reset, GET /bench/gc: the longest V8 collection pause since
 *   the reset, the bench's own forced collections left out;
 * - GET  /bench/rooms: the rooms held in memory;
 * - POST /bench/stream?room=&chat=&reply=&chars=: an AI answer streamed into a chat
 *   room the way the app's generation writes one (createAnswerWriter), a few
 *   characters every 10 ms; answers when it is stored.
 *
 * Empty rooms are released after IDLE_ROOM_MS (production: 10 s) so the
 * bench can open the same room cold several times.
 */
import http from 'node:http'
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { getAuth } from '../../db/auth'
import { getDatabase } from '../../db/client'
import { serverEnv } from '../../db/env'
import { getRevocationBus } from '../../db/revocations'
import { createSyncServer } from '../../sync-server'
import { createAnswerWriter } from '../../app/server/ai/answer-writer'
import { newId, serverOrigin } from '../../shared/doc'

const IDLE_ROOM_MS = Number(process.env.IDLE_ROOM_MS ?? 300)
const STREAM_PIECE_MS = 10

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const env = serverEnv()
const { db, logWriter } = await getDatabase()
const sync = createSyncServer({
  db,
  logWriter,
  auth: await getAuth(),
  revocations: getRevocationBus(env.REDIS_URL),
  limits: { idleRoomMs: IDLE_ROOM_MS },
})

// Two views of a blocked loop: the histogram samples every millisecond; the
// timer's drift catches a block the histogram's sampling rounds.
const delay = monitorEventLoopDelay({ resolution: 1 })
delay.enable()
let driftMax = 0
let lastTick = performance.now()
setInterval(() => {
  const now = performance.now()
  driftMax = Math.max(driftMax, now - lastTick - 5)
  lastTick = now
}, 5)

// V8's own pauses, so a block can be told from a collection: the longest
// the bench did not force (`gc()` in measureHeap) since the last reset.
let gcMax = 0
let gcForced = false
new PerformanceObserver((list) => {
  if (gcForced) return
  for (const entry of list.getEntries()) gcMax = Math.max(gcMax, entry.duration)
}).observe({ entryTypes: ['gc'] })

/** The longest block seen before the monitors were last cleared of a collection this bench forced, ms. */
let carriedMax = 0
const loopMaxMs = () => Math.max(delay.max / 1e6, driftMax, carriedMax)

const json = (res: http.ServerResponse, body: unknown) =>
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))

async function streamAnswer(room: string, chatId: string, replyTo: string, chars: number) {
  const workspaceId = room.split('/')[1]
  const hold = await sync.openRoom(room, workspaceId)
  const started = performance.now()
  try {
    const writer = createAnswerWriter(
      hold.room,
      { chatId, messageId: newId(), authorId: 'bench-model', model: 'openai:gpt-4o-mini', replyTo },
      serverOrigin('bench-answer'),
      () => {},
    )
    const text = 'The answer streams in a few characters at a time, as a model writes it. '.repeat(
      Math.ceil(chars / 72),
    )
    for (let at = 0; at < chars; at += 6) {
      writer.push(text.slice(at, Math.min(chars, at + 6)))
      await new Promise((r) => setTimeout(r, STREAM_PIECE_MS))
    }
    await writer.flush()
    return { ms: performance.now() - started }
  } finally {
    hold.release()
  }
}

function measureHeap(res: http.ServerResponse) {
  const seen = loopMaxMs()
  gcForced = true
  gc!()
  gc!()
  const m = process.memoryUsage()
  // The collections forced here stall the loop, but they are the bench's, not the server's: once
  // the monitors have recorded that stall (their timers fire late, right after this), it is forgotten.
  setTimeout(() => {
    carriedMax = seen
    gcForced = false
    delay.reset()
    driftMax = 0
    lastTick = performance.now()
    json(res, { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers })
  }, 20)
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const route = `${req.method} ${url.pathname}`
  if (route === 'GET /health') return json(res, { ok: true })
  if (route === 'GET /bench/heap') {
    // A room answers its first sync before it has loaded: what it holds is measured once it has.
    void Promise.allSettled([...sync.rooms.values()].map((room) => room.ready)).then(() => measureHeap(res))
    return
  }
  if (route === 'POST /bench/loop/reset') {
    delay.reset()
    driftMax = 0
    carriedMax = 0
    return json(res, { ok: true })
  }
  if (route === 'GET /bench/loop')
    return json(res, {
      histogramMaxMs: Math.max(delay.max / 1e6, carriedMax),
      driftMaxMs: Math.max(driftMax, carriedMax),
    })
  if (route === 'POST /bench/gc/reset') {
    gcMax = 0
    return json(res, { ok: true })
  }
  if (route === 'GET /bench/gc') return json(res, { maxMs: gcMax })
  if (route === 'GET /bench/rooms') return json(res, { rooms: [...sync.rooms.keys()] })
  if (route === 'POST /bench/stream') {
    const room = url.searchParams.get('room') ?? ''
    const chat = url.searchParams.get('chat') ?? ''
    const reply = url.searchParams.get('reply') ?? ''
    streamAnswer(room, chat, reply, Number(url.searchParams.get('chars') ?? 2000)).then(
      (r) => json(res, r),
      (error: unknown) => res.writeHead(500).end(String(error)),
    )
    return
  }
  res.writeHead(404).end()
})
server.on('upgrade', (req, socket, head) => {
  if (!sync.handleUpgrade(req, socket, head)) socket.destroy()
})
await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve))
const address = server.address()
console.log(`scale-server listening ${typeof address === 'object' && address ? address.port : env.PORT}`)

process.once('SIGTERM', () => {
  void (async () => {
    await sync.close()
    server.closeAllConnections()
    server.close()
    process.exit(0)
  })()
})
