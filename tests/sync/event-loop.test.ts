import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import * as decoding from 'lib0/decoding'
import * as Y from 'yjs'
import { encodeSyncStep1 } from '../../sync-server/protocol'
import { TokenBucket } from '../../sync-server/limits'
import { createHarness, type Harness } from '../helpers/harness'
import { rawClient, roundTrip, synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
let peers: Peer[] = []
let nodes: SyncNode[] = []

beforeAll(async () => {
  h = await createHarness()
})
afterEach(async () => {
  for (const p of peers) p.destroy()
  peers = []
  for (const n of nodes) await n.stop()
  nodes = []
})
afterAll(() => h?.close())

async function node(opts: Parameters<typeof startSyncNode>[1] = {}) {
  const n = await startSyncNode(h, opts)
  nodes.push(n)
  return n
}

function blockLoop(ms: number) {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // A synchronous stall, as a large room once caused.
  }
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])

describe('event-loop metric', () => {
  test('reports the longest stall since the previous scrape, so one long block cannot hide in the percentiles', async () => {
    const n = await node()
    n.server.metrics.render()
    await new Promise((resolve) => setTimeout(resolve, 50))
    blockLoop(300)
    await new Promise((resolve) => setTimeout(resolve, 50))
    const scraped = n.server.metrics.render()
    expect(gauge(scraped, 'nodejs_eventloop_delay_max_ms')).toBeGreaterThanOrEqual(300)
    // Since the previous scrape only: the next one no longer holds it.
    expect(gauge(n.server.metrics.render(), 'nodejs_eventloop_delay_max_ms')).toBeLessThan(300)
  })
})

describe('rate limit and stalls', () => {
  test('messages that queued while the server stalled are not charged at once', () => {
    let now = 0
    let stalled = 0
    const bucket = new TokenBucket(10, 20, { stalledMs: () => stalled }, () => now)
    // A client sending 10 a second, steadily, for 5 s while the server was stalled:
    now += 5000
    stalled += 5000
    const taken = Array.from({ length: 50 }, () => bucket.take())
    expect(taken.every(Boolean)).toBe(true)
    // The credit is for the stall only: past it and the burst, the rate holds again.
    const flood = Array.from({ length: 30 }, () => bucket.take())
    expect(flood.filter(Boolean).length).toBe(20)
  })

  test('without a stall, a burst past the bucket is refused as before', () => {
    let now = 0
    const bucket = new TokenBucket(10, 20, { stalledMs: () => 0 }, () => now)
    now += 5000
    const taken = Array.from({ length: 50 }, () => bucket.take())
    expect(taken.filter(Boolean).length).toBe(20)
  })
})

describe('first sync of a large room', () => {
  test('is not closed as a slow consumer when updates are broadcast while its answer drains', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node({ limits: { maxBufferedBytes: 64 * 1024 } })
    const writer = connectPeer(n, team.shared, sessionToken(team.byRole.member))
    peers.push(writer)
    await synced(writer)
    const chunk = 'x'.repeat(512 * 1024)
    for (let i = 0; i < 8; i++) {
      writer.doc.getArray('blobs').push([chunk])
      await roundTrip(writer)
    }
    // 4 MB, far past maxBufferedBytes: the answer cannot leave the buffer at once.
    const reader = rawClient(n, team.shared, { token: sessionToken(team.byRole.viewer) })
    await reader.opened
    const socket = (reader.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    reader.send(encodeSyncStep1(new Y.Doc()))
    const room = n.server.rooms.get(team.shared)
    await until(
      () => [...(room?.peers ?? [])].some((p) => (p as { ws?: { bufferedAmount: number } }).ws?.bufferedAmount),
      Boolean,
    )
    for (let i = 0; i < 5; i++) {
      writer.doc.getText('text').insert(0, 'while it drains ')
      await roundTrip(writer)
    }
    socket.resume()
    const doc = new Y.Doc()
    await until(
      () => {
        for (const m of reader.messages.splice(0)) {
          const d = decoding.createDecoder(m)
          if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) !== 0)
            Y.applyUpdate(doc, decoding.readVarUint8Array(d))
        }
        return doc.getText('text').length
      },
      (len) => len === 5 * 'while it drains '.length,
      20_000,
    )
    expect(doc.getArray('blobs').length).toBe(8)
    expect(reader.isClosed()).toBe(false)
    expect(n.server.metrics.closes.get(1013)).toBeUndefined()
  })
})
