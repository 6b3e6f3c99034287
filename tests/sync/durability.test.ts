import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import * as Y from 'yjs'
import { sql } from 'drizzle-orm'
import { createRevocationBus } from '../../db/revocations'
import { poll } from '../helpers/fixtures'
import { createHarness, type Harness } from '../helpers/harness'
import {
  logRows,
  rawClient,
  roundTrip,
  snapshotRow,
  storedDoc,
  synced,
  teamWithEveryRole,
  textOf,
  until,
} from './sync-clients'
import { REDIS_URL, connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

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

async function node(harness: Harness, opts: Parameters<typeof startSyncNode>[1] = {}) {
  const n = await startSyncNode(harness, opts)
  nodes.push(n)
  return n
}

const peer = (n: { url: string }, room: string, token: string) => {
  const p = connectPeer(n, room, token)
  peers.push(p)
  return p
}

/** Everything a test writes, as plain data, to compare two documents. */
const contentOf = (doc: Y.Doc) => ({
  // Sorted: two converged documents may list map keys in different orders.
  chats: Object.fromEntries(Object.entries(doc.getMap('chats').toJSON()).sort(([x], [y]) => x.localeCompare(y))),
  text: doc.getText('text').toString(),
  log: doc.getArray('log').toJSON(),
})

/** Several kinds of change, each its own transaction (its own update). */
function writeSome(doc: Y.Doc, count: number, tag = 'w') {
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) doc.getText('text').insert(doc.getText('text').length, `${tag}${i} `)
    else if (i % 3 === 1) doc.getMap('chats').set(`${tag}-${i}`, { title: `chat ${i}`, at: i })
    else doc.getArray('log').push([`${tag}:${i}`])
  }
  // Deletions too: they live in the delete set, not in the structs.
  doc.getText('text').delete(0, Math.min(3, doc.getText('text').length))
  doc.getMap('chats').delete(`${tag}-1`)
}

describe('durability', () => {
  test('a restarted node serves the same state to a fresh client', async () => {
    const team = await teamWithEveryRole(h)
    const token = sessionToken(team.byRole.member)
    const first = await node(h)
    const writer = peer(first, team.shared, token)
    const watcher = peer(first, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(writer), synced(watcher)])
    writeSome(writer.doc, 30)
    // Stored before broadcast: once the watcher has everything, the database has it.
    await until(
      () => JSON.stringify(contentOf(watcher.doc)),
      (c) => c === JSON.stringify(contentOf(writer.doc)),
    )
    const expected = contentOf(writer.doc)
    for (const p of peers) p.destroy()
    peers = []
    await first.stop()
    nodes = nodes.filter((n) => n !== first)

    const second = await node(h)
    const fresh = peer(second, team.shared, sessionToken(team.byRole.viewer))
    await synced(fresh)
    expect(contentOf(fresh.doc)).toEqual(expected)
    expect(expected.text.length).toBeGreaterThan(0)
    expect(Object.keys(expected.chats)).not.toContain('w-1')
  })

  test('after many updates the log is compacted into a snapshot, and a restart serves the same state', async () => {
    const team = await teamWithEveryRole(h)
    const first = await node(h, { limits: { compactEvery: 10 } })
    const writer = peer(first, team.shared, sessionToken(team.byRole.member))
    await synced(writer)
    writeSome(writer.doc, 60)
    // Compaction runs every 10 log rows, in the background: wait for a
    // snapshot that holds at least the first 60 updates.
    await poll(
      () => snapshotRow(h, team.shared),
      (row) => (row?.updateCount ?? 0) >= 60,
      10_000,
    )
    await roundTrip(writer)
    // Between compactions the log holds fewer rows than the threshold.
    await poll(
      async () => (await logRows(h, team.shared)).length,
      (rows) => rows < 10,
    )
    const expected = contentOf(writer.doc)
    // The snapshot plus the short log is the whole document.
    expect(contentOf(await storedDoc(h, team.shared))).toEqual(expected)

    writer.destroy()
    await first.stop()
    nodes = nodes.filter((n) => n !== first)
    // Closing compacts whatever was left: the log is empty, the snapshot is everything.
    expect(await logRows(h, team.shared)).toEqual([])
    const fromSnapshot = new Y.Doc()
    Y.applyUpdate(fromSnapshot, (await snapshotRow(h, team.shared))!.state)
    expect(contentOf(fromSnapshot)).toEqual(expected)
    const second = await node(h)
    const fresh = peer(second, team.shared, sessionToken(team.byRole.admin))
    await synced(fresh)
    expect(contentOf(fresh.doc)).toEqual(expected)
  })
  test('a room released when idle compacts a long log and leaves a short one, whose rows still load', async () => {
    const team = await teamWithEveryRole(h)
    const first = await node(h, { limits: { idleRoomMs: 50, compactIdleFrom: 20 } })
    const token = sessionToken(team.byRole.member)
    const short = peer(first, team.shared, token)
    await synced(short)
    writeSome(short.doc, 5)
    await roundTrip(short)
    const afterShort = contentOf(short.doc)
    short.destroy()
    // Released without compacting: the rows stay, and no snapshot was written (a compaction of
    // five small rows would be done well within the pause).
    await until(
      () => first.server.rooms.size,
      (size) => size === 0,
    )
    await new Promise((r) => setTimeout(r, 300))
    const shortLog = (await logRows(h, team.shared)).length
    expect(shortLog).toBeGreaterThanOrEqual(5)
    expect(shortLog).toBeLessThan(20)
    expect(await snapshotRow(h, team.shared)).toBeNull()
    expect(contentOf(await storedDoc(h, team.shared))).toEqual(afterShort)

    // The room reopens from those rows; 20 more updates make the log long enough to compact on release.
    const long = peer(first, team.shared, token)
    await synced(long)
    expect(contentOf(long.doc)).toEqual(afterShort)
    writeSome(long.doc, 20, 'l')
    await roundTrip(long)
    const afterLong = contentOf(long.doc)
    long.destroy()
    await poll(
      async () => (await logRows(h, team.shared)).length,
      (rows) => rows === 0,
      5_000,
    )
    expect((await snapshotRow(h, team.shared))?.updateCount).toBeGreaterThanOrEqual(shortLog + 20)
    expect(contentOf(await storedDoc(h, team.shared))).toEqual(afterLong)
  })
})

describe('opening a room', () => {
  test('a client that already holds the content does not upload it again to a node that opens the room cold', async () => {
    const team = await teamWithEveryRole(h)
    const token = sessionToken(team.byRole.member)
    const first = await node(h)
    const writer = peer(first, team.shared, token)
    await synced(writer)
    writer.doc.getText('text').insert(0, 'long content. '.repeat(1500))
    await roundTrip(writer)
    const local = Y.encodeStateAsUpdate(writer.doc)
    writer.destroy()
    await first.stop()
    nodes = nodes.filter((n) => n !== first)
    expect(await logRows(h, team.shared)).toEqual([])

    // The same content (as a browser restores it from IndexedDB) meets a node that loads the room now.
    const second = await node(h)
    const reopened = connectPeer(second, team.shared, token, false)
    peers.push(reopened)
    Y.applyUpdate(reopened.doc, local)
    reopened.provider.connect()
    await synced(reopened)
    await roundTrip(reopened)
    const rows = await logRows(h, team.shared)
    expect(rows.map((r) => r.update.byteLength).filter((n) => n > 1000)).toEqual([])
    expect(textOf(reopened)).toBe('long content. '.repeat(1500))
  })

  test('a room whose load failed (the database was unreachable) is opened anew on the next connection', async () => {
    const team = await teamWithEveryRole(h)
    const token = sessionToken(team.byRole.member)
    const first = await node(h)
    const writer = peer(first, team.shared, token)
    await synced(writer)
    writer.doc.getText('text').insert(0, 'stored before the outage')
    await roundTrip(writer)
    writer.destroy()
    await first.stop()
    nodes = nodes.filter((n) => n !== first)

    // Rooms stay in memory as long as in production, longer than the client's reconnect backoff.
    const second = await node(h, { limits: { idleRoomMs: 10_000 } })
    // Loading reads in one transaction: the first one fails as if the connection dropped.
    const spy = vi.spyOn(h.db, 'transaction').mockImplementationOnce(async () => {
      throw new Error('database unreachable')
    })
    try {
      const reader = peer(second, team.shared, sessionToken(team.byRole.admin))
      await until(
        () => spy.mock.calls.length,
        (n) => n >= 1,
      )
      // The stock client is closed (1011), reconnects, and this time the room loads.
      await synced(reader, 10_000)
      expect(textOf(reader)).toBe('stored before the outage')
    } finally {
      spy.mockRestore()
    }
  })
})

describe('shutting down', () => {
  test('a connection still being authorized when its node shuts down is closed with 1012, not left open', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node(h)
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    // Holds the session table, so the node's session check waits inside authorization.
    let locked = () => {}
    const isLocked = new Promise<void>((resolve) => (locked = resolve))
    const holder = h.db.transaction(async (tx) => {
      await tx.execute(sql`lock table session in access exclusive mode`)
      locked()
      await gate
    })
    try {
      await isLocked
      const client = rawClient(n, team.shared, { token: sessionToken(team.byRole.member), hello: true })
      await client.opened
      const closing = n.server.close()
      release()
      await closing
      await until(client.isClosed, (closed) => closed)
      expect(await client.closed).toMatchObject({ code: 1012, messagesBeforeClose: 0 })
    } finally {
      release()
      await holder
    }
  })
})

describe('two nodes behind Redis', () => {
  let rh: Harness
  beforeAll(async () => {
    rh = await createHarness({}, createRevocationBus(REDIS_URL))
  })
  afterAll(async () => {
    await rh?.revocations.close()
    await rh?.close()
  })

  test('clients on different nodes see each other’s edits both ways and converge', async () => {
    const team = await teamWithEveryRole(rh)
    const [one, two] = [await node(rh, { redis: true }), await node(rh, { redis: true })]
    const a = peer(one, team.shared, sessionToken(team.byRole.member))
    const b = peer(two, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(a), synced(b)])

    a.doc.getText('text').insert(0, 'from A')
    await until(
      () => textOf(b),
      (t) => t === 'from A',
    )
    b.doc.getText('text').insert(6, ', from B')
    await until(
      () => textOf(a),
      (t) => t === 'from A, from B',
    )
    // Concurrent edits on both nodes converge to one state.
    writeSome(a.doc, 20, 'a')
    writeSome(b.doc, 20, 'b')
    await until(
      () => [JSON.stringify(contentOf(a.doc)), JSON.stringify(contentOf(b.doc))],
      ([x, y]) => x === y,
    )
    expect(a.doc.getArray('log').length).toBe(12)
    // Each node stored what its own clients sent: the database has all of it.
    expect(contentOf(await storedDoc(rh, team.shared))).toEqual(contentOf(a.doc))
  })

  test('awareness crosses nodes both ways, including presence set before the other node opened the room', async () => {
    const team = await teamWithEveryRole(rh)
    const [one, two] = [await node(rh, { redis: true }), await node(rh, { redis: true })]
    const a = peer(one, team.shared, sessionToken(team.byRole.member))
    a.provider.awareness.setLocalStateField('user', { name: 'A' })
    await synced(a)
    const b = peer(two, team.shared, sessionToken(team.byRole.admin))
    b.provider.awareness.setLocalStateField('user', { name: 'B' })
    await synced(b)
    const nameIn = (p: Peer, of: Peer) =>
      (p.provider.awareness.getStates().get(of.doc.clientID) as { user?: { name?: string } } | undefined)?.user?.name
    await until(
      () => nameIn(a, b),
      (n) => n === 'B',
    )
    await until(
      () => nameIn(b, a),
      (n) => n === 'A',
    )
    a.provider.awareness.setLocalStateField('user', { name: 'A2' })
    await until(
      () => nameIn(b, a),
      (n) => n === 'A2',
    )
    // Leaving is seen on the other node.
    a.provider.disconnect()
    await until(
      () => b.provider.awareness.getStates().has(a.doc.clientID),
      (has) => !has,
    )
  })
})

describe('presence across nodes', () => {
  let rh: Harness
  beforeAll(async () => {
    rh = await createHarness({}, createRevocationBus(REDIS_URL))
  })
  afterAll(async () => {
    await rh?.revocations.close()
    await rh?.close()
  })

  test('a client leaving one node does not take the presence of a client on another node with it', async () => {
    const team = await teamWithEveryRole(rh)
    const [one, two] = [await node(rh, { redis: true }), await node(rh, { redis: true })]
    const leaver = peer(one, team.shared, sessionToken(team.byRole.viewer))
    const b = peer(two, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(leaver), synced(b)])
    const bIn = (p: Peer) =>
      (p.provider.awareness.getStates().get(b.doc.clientID) as { user?: { name?: string } } | undefined)?.user?.name
    // A stock client echoes every awareness change it receives back to its node: B's too.
    b.provider.awareness.setLocalStateField('user', { name: 'B' })
    await until(
      () => bIn(leaver),
      (n) => n === 'B',
    )
    await roundTrip(leaver)

    const a = peer(one, team.shared, sessionToken(team.byRole.member))
    await synced(a)
    await until(
      () => bIn(a),
      (n) => n === 'B',
    )
    const removedOnA: number[] = []
    a.provider.awareness.on('change', ({ removed }: { removed: number[] }) => removedOnA.push(...removed))
    leaver.provider.destroy()
    await until(
      () => one.server.metrics.openConnections,
      (open) => open === 1,
    )
    // A later change of B's arrives after anything the leaving caused.
    b.provider.awareness.setLocalStateField('user', { name: 'B2' })
    await until(
      () => bIn(a),
      (n) => n === 'B2',
    )
    expect(removedOnA).not.toContain(b.doc.clientID)
  })
})

describe('a node killed with SIGKILL mid-write', () => {
  // Two processes share the database, so this needs PostgreSQL: the one in
  // DATABASE_URL, or (when the rest of the suite runs on PGlite) a database
  // of its own on the local server, which CI always runs.
  let pg: Harness
  let child: ChildProcess | null = null
  beforeAll(async () => {
    const saved = process.env.DATABASE_URL
    process.env.DATABASE_URL = saved ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    try {
      pg = await createHarness({}, createRevocationBus(REDIS_URL))
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL
    }
  })
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await pg?.revocations.close()
    await pg?.close()
  })

  async function startChildNode(): Promise<{ url: string; process: ChildProcess }> {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/sync/node-process.ts'], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: pg.database.url,
        BETTER_AUTH_SECRET: pg.env.BETTER_AUTH_SECRET,
        BETTER_AUTH_URL: pg.env.BETTER_AUTH_URL,
        REDIS_URL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    child = proc
    let stderr = ''
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const lines = createInterface({ input: proc.stdout! })
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child node did not start:\n${stderr}`)), 30_000)
      proc.once('exit', (code) => reject(new Error(`child node exited (${code}):\n${stderr}`)))
      lines.on('line', (line) => {
        try {
          const { port } = JSON.parse(line) as { port?: number }
          if (port) {
            clearTimeout(timer)
            resolve(port)
          }
        } catch {
          /* not our line */
        }
      })
    })
    return { url: `ws://127.0.0.1:${port}/sync`, process: proc }
  }

  test('every update another node had received is in the database afterwards', async () => {
    const team = await teamWithEveryRole(pg)
    const doomed = await startChildNode()
    const survivor = await node(pg, { redis: true })
    const writer = peer(doomed, team.shared, sessionToken(team.byRole.member))
    const reader = peer(survivor, team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(writer), synced(reader)])

    // The writer streams one small update at a time through the doomed node.
    let written = 0
    const stream = setInterval(() => {
      if (written < 5000) writer.doc.getArray<number>('log').push([written++])
    }, 2)
    try {
      await until(
        () => reader.doc.getArray('log').length,
        (n) => n >= 50,
        20_000,
      )
      doomed.process.kill('SIGKILL')
      await once(doomed.process, 'exit')
    } finally {
      clearInterval(stream)
    }
    // The writer must not bring its copy back through another node.
    writer.destroy()
    const seen = reader.doc.getArray<number>('log').toArray()
    reader.destroy()
    expect(seen.length).toBeGreaterThanOrEqual(50)
    expect(doomed.process.signalCode).toBe('SIGKILL')

    // A node that knows only the database.
    const fresh = await node(pg)
    const check = peer(fresh, team.shared, sessionToken(team.byRole.viewer))
    await synced(check)
    const stored = check.doc.getArray<number>('log').toArray()
    // Stored in order, nothing missing: a prefix of what was written, containing all that was seen.
    expect(stored).toEqual(stored.map((_, i) => i))
    expect(stored.length).toBeGreaterThanOrEqual(seen.length)
    expect(stored.slice(0, seen.length)).toEqual(seen)
  })
})
