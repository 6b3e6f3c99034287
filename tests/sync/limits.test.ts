import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { encodeSyncStep1 } from '../../sync-server/protocol'
import { createHarness, signUp, type Harness } from '../helpers/harness'
import { logRows, rawClient, roundTrip, storedDoc, synced, teamWithEveryRole, textOf, until } from './sync-clients'
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

const peer = (n: SyncNode, room: string, token: string) => {
  const p = connectPeer(n, room, token)
  peers.push(p)
  return p
}

/** Sync step 2 answers (type 0, sub-type 1) among a raw client's messages. */
const answers = (messages: Uint8Array[]) => messages.filter((m) => m[0] === 0 && m[1] === 1).length

describe('rate limit', () => {
  test('a connection within its burst is served; one past its rate is closed with 1008, and only that one', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node({ limits: { messagesPerSecond: 5, messageBurst: 10 } })
    const good = peer(n, team.shared, sessionToken(team.byRole.admin))
    const watcher = peer(n, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(good), synced(watcher)])

    const flooder = rawClient(n, team.shared, { token: sessionToken(team.byRole.member) })
    await flooder.opened
    // Ten messages: the whole burst, each answered.
    for (let i = 0; i < 10; i++) flooder.send(encodeSyncStep1(new Y.Doc()))
    await until(
      () => answers(flooder.messages),
      (count) => count === 10,
    )
    expect(flooder.isClosed()).toBe(false)
    // Then far more than five a second.
    for (let i = 0; i < 30 && !flooder.isClosed(); i++) flooder.send(encodeSyncStep1(new Y.Doc()))
    expect((await flooder.closed).code).toBe(1008)
    expect(answers(flooder.messages)).toBeLessThan(40)

    good.doc.getText('text').insert(0, 'unaffected')
    await until(
      () => textOf(watcher),
      (t) => t === 'unaffected',
    )
    expect(good.closes).toEqual([])
    expect(n.server.metrics.closes.get(1008)).toBe(1)
  })
})

describe('slow consumers', () => {
  test('a client that stops reading is closed with 1013 rather than buffered without bound, and the others go on', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node({ limits: { maxBufferedBytes: 256 * 1024 } })
    const writer = peer(n, team.shared, sessionToken(team.byRole.member))
    const watcher = peer(n, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(writer), synced(watcher)])
    const slow = rawClient(n, team.shared, { token: sessionToken(team.byRole.viewer) })
    await slow.opened
    await until(
      () => slow.messages.length,
      (count) => count >= 1,
    )
    // Stop reading: the kernel's buffers fill, then the server's.
    ;(slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause()

    const chunk = 'z'.repeat(512 * 1024)
    let sent = 0
    for (; sent < 40 && !n.server.metrics.closes.get(1013); sent++) {
      writer.doc.getArray('blobs').push([chunk])
      await roundTrip(writer)
    }
    expect(n.server.metrics.closes.get(1013)).toBe(1)
    await until(
      () => watcher.doc.getArray('blobs').length,
      (len) => len === sent,
    )
    expect(watcher.closes).toEqual([])
    ;(slow.ws as unknown as { _socket: { resume(): void } })._socket.resume()
    expect((await slow.closed).code).toBe(1013)
  })
})

describe('document size limit', () => {
  test('an update that would grow the document past maxDocumentBytes closes with 4413 and is not stored', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node({ limits: { maxDocumentBytes: 4096 } })
    const writer = peer(n, team.shared, sessionToken(team.byRole.member))
    const watcher = peer(n, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(writer), synced(watcher)])

    writer.doc.getText('text').insert(0, 'a'.repeat(1000))
    await until(
      () => textOf(watcher).length,
      (len) => len === 1000,
    )
    writer.doc.getText('text').insert(1000, 'b'.repeat(5000))
    await until(
      () => writer.closes.map((c) => c.code),
      (codes) => codes.includes(4413),
    )
    // 4413 is final for the stock client: it does not come back to retry the same update.
    expect(writer.provider.shouldConnect).toBe(false)

    // Others still write within the limit, and what was refused reached no one and nothing.
    watcher.doc.getText('notes').insert(0, 'small')
    await roundTrip(watcher)
    const stored = await storedDoc(h, team.shared)
    expect(textOf({ doc: stored })).toBe('a'.repeat(1000))
    expect(textOf({ doc: stored }, 'notes')).toBe('small')
    expect(textOf(watcher)).toBe('a'.repeat(1000))
    const logBytes = (await logRows(h, team.shared)).reduce((sum, r) => sum + r.update.byteLength, 0)
    expect(logBytes).toBeLessThanOrEqual(4096)

    // After a restart too.
    const fresh = await node()
    const reader = peer(fresh, team.shared, sessionToken(team.byRole.viewer))
    await synced(reader)
    expect(textOf(reader)).toBe('a'.repeat(1000))
  })

  test('clients that reconnect again and again do not use up the limit of a small document', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node({ limits: { maxDocumentBytes: 4096 } })
    const writer = peer(n, team.shared, sessionToken(team.byRole.member))
    await synced(writer)
    // Many separate deletions: a delete set that every reconnecting client sends back in its handshake.
    const text = writer.doc.getText('text')
    text.insert(0, 'x'.repeat(120))
    for (let i = 0; i < 60; i++) text.delete(i + 1, 1)
    await roundTrip(writer)
    const docBytes = Y.encodeStateAsUpdate(writer.doc).byteLength
    expect(docBytes).toBeLessThan(2048)

    for (let i = 0; i < 30; i++) {
      writer.provider.disconnect()
      writer.provider.connect()
      await synced(writer)
      await roundTrip(writer)
    }
    // The document is still far below its limit: a real edit is accepted.
    text.insert(0, 'still writable')
    const watcher = peer(n, team.shared, sessionToken(team.byRole.admin))
    await until(
      () => textOf(watcher),
      (t) => t.startsWith('still writable'),
    )
    expect(writer.closes.map((c) => c.code)).not.toContain(4413)
  })
})

describe('metrics', () => {
  test('the Prometheus rendering reports what happened on the node', async () => {
    const team = await teamWithEveryRole(h)
    const outsider = await signUp(h, 'Outsider')
    const n = await node({ limits: { messagesPerSecond: 5, messageBurst: 10 } })
    const parse = () =>
      new Map(
        n.server.metrics
          .render()
          .split('\n')
          .filter((line) => line && !line.startsWith('#'))
          .map((line) => [line.slice(0, line.lastIndexOf(' ')), Number(line.slice(line.lastIndexOf(' ') + 1))]),
      )
    const zero = parse()
    expect(zero.get('sync_connections_total')).toBe(0)
    expect(zero.get('sync_persist_latency_ms_count')).toBe(0)

    for (const [room, token] of [
      [team.shared, null],
      [team.shared, sessionToken(outsider)],
      ['w/', sessionToken(outsider)],
    ] as const) {
      await rawClient(n, room, { token }).closed
    }
    const member = peer(n, team.shared, sessionToken(team.byRole.member))
    const viewer = peer(n, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(member), synced(viewer)])
    member.doc.getText('text').insert(0, 'one')
    member.doc.getText('text').insert(0, 'two')
    member.doc.getText('text').insert(0, 'three')
    viewer.doc.getText('text').insert(0, 'dropped')
    await Promise.all([roundTrip(member), roundTrip(viewer)])
    const flooder = rawClient(n, team.shared, { token: sessionToken(team.byRole.admin) })
    await flooder.opened
    for (let i = 0; i < 40 && !flooder.isClosed(); i++) flooder.send(encodeSyncStep1(new Y.Doc()))
    expect((await flooder.closed).code).toBe(1008)

    // The gauge follows the server side's close event, a moment after the client's.
    const m = await until(parse, (metrics) => metrics.get('sync_connections') === 2)
    expect(m.get('sync_connections_total')).toBe(3)
    expect(m.get('sync_rooms')).toBe(1)
    expect(m.get('sync_auth_refusals_total{code="4401"}')).toBe(1)
    expect(m.get('sync_auth_refusals_total{code="4403"}')).toBe(1)
    expect(m.get('sync_auth_refusals_total{code="4400"}')).toBe(1)
    expect(m.get('sync_closes_total{code="1008"}')).toBe(1)
    expect(m.get('sync_dropped_viewer_updates_total')).toBeGreaterThanOrEqual(1)
    expect(m.get('sync_messages_in_total')).toBeGreaterThan(10)
    expect(m.get('sync_messages_out_total')).toBeGreaterThan(5)
    const persisted = m.get('sync_persist_latency_ms_count')!
    expect(persisted).toBeGreaterThanOrEqual(3)
    expect(m.get('sync_persist_latency_ms_bucket{le="+Inf"}')).toBe(persisted)
    expect(m.get('sync_persist_latency_ms_sum')).toBeGreaterThan(0)
    // Cumulative buckets never decrease.
    const buckets = [...m].filter(([k]) => k.startsWith('sync_persist_latency_ms_bucket')).map(([, v]) => v)
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b))
  })
})
