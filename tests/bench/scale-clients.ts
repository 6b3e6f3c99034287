/**
 * The scale bench's clients and its handle on the server process.
 */
import * as decoding from 'lib0/decoding'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { encodeSyncStep1, MessageType, SyncType } from '../../sync-server/protocol'
import { SERVER_NODE_FLAGS } from '../helpers/node-flags'
import { freePort, startProcess, stopper, type BenchDatabase } from './servers'

export interface Opened {
  /** From creating the socket to the server's answer to our sync step 1 (sync step 2). */
  ms: number
  /** Every byte the server sent until then: its sync step 1, awareness, the room's state. */
  bytes: number
  close(): void
}

/**
 * Opens a room as a first-time visitor (an empty document) and times the
 * first sync answer. Speaks the protocol without decoding the document, so
 * this process's work does not count in what is timed.
 */
export function openRoom(base: string, room: string, token: string): Promise<Opened> {
  const started = performance.now()
  const socket = new WebSocket(`${base}/${room}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false })
  socket.binaryType = 'nodebuffer'
  let bytes = 0
  return new Promise((resolve, reject) => {
    socket.on('open', () => socket.send(encodeSyncStep1(new Y.Doc())))
    socket.on('message', (data: Buffer) => {
      bytes += data.byteLength
      const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
      if (decoding.readVarUint(d) !== MessageType.SYNC || decoding.readVarUint(d) !== SyncType.STEP2) return
      resolve({ ms: performance.now() - started, bytes, close: () => socket.close() })
    })
    socket.on('close', (code) => reject(new Error(`${room} closed ${code} before its first sync answer`)))
    socket.on('error', reject)
  })
}

/** A stock y-websocket client, as the app's browser code runs it. */
export function connectProvider(base: string, room: string, token: string) {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(base, room, doc, {
    WebSocketPolyfill: WebSocket as never,
    params: { token },
    disableBc: true,
  })
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve()
    provider.once('sync', () => resolve())
  })
  return {
    doc,
    provider,
    synced,
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}

export interface ScaleServer {
  base: string
  heap(): Promise<{ heapUsed: number; rss: number }>
  resetLoop(): Promise<void>
  /** The longest event-loop block since the last reset, ms (the larger of the two probes). */
  loopMax(): Promise<number>
  resetGc(): Promise<void>
  /** The longest V8 collection pause since the last `resetGc`, ms (the bench's forced ones left out). */
  gcMax(): Promise<number>
  rooms(): Promise<string[]>
  stream(room: string, chatId: string, replyTo: string, chars: number): Promise<void>
  stop(): Promise<void>
}

/** Starts tests/bench/scale-server.ts on the bench's database. */
export async function startScaleServer(database: BenchDatabase): Promise<ScaleServer> {
  const port = await freePort()
  const child = await startProcess(
    'scale server',
    [
      '--expose-gc',
      ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...SERVER_NODE_FLAGS,
      'tests/bench/scale-server.ts',
    ],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      BETTER_AUTH_SECRET: database.secret,
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: '',
    },
    /scale-server listening/,
  )
  const http = `http://127.0.0.1:${port}`
  const call = async <T>(method: string, path: string): Promise<T> => {
    const res = await fetch(`${http}${path}`, { method })
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
    return (await res.json()) as T
  }
  return {
    base: `ws://127.0.0.1:${port}/sync`,
    heap: () => call('GET', '/bench/heap'),
    resetLoop: () => call('POST', '/bench/loop/reset'),
    async loopMax() {
      const loop = await call<{ histogramMaxMs: number; driftMaxMs: number }>('GET', '/bench/loop')
      return Math.max(loop.histogramMaxMs, loop.driftMaxMs)
    },
    resetGc: () => call('POST', '/bench/gc/reset'),
    gcMax: async () => (await call<{ maxMs: number }>('GET', '/bench/gc')).maxMs,
    rooms: async () => (await call<{ rooms: string[] }>('GET', '/bench/rooms')).rooms,
    async stream(room, chatId, replyTo, chars) {
      const query = new URLSearchParams({ room, chat: chatId, reply: replyTo, chars: String(chars) })
      await call('POST', `/bench/stream?${query}`)
    },
    stop: stopper(child),
  }
}
