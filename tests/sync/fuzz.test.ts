import net from 'node:net'
import * as encoding from 'lib0/encoding'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { encodeAwareness, encodeSyncStep1, encodeUpdate } from '../../sync-server/protocol'
import { yieldIfTurnSpent } from '../../sync-server/turn-budget'
import { createHarness, type Harness } from '../helpers/harness'
import { rawClient, storedDoc, synced, teamWithEveryRole, textOf, until, type Team } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

/**
 * Hostile or broken clients, all authorized members of the room: each bad
 * message closes that one connection (4400 malformed, 1009 too big) while
 * well-behaved clients in the same room keep syncing. Every loop is bounded
 * and every random input comes from a fixed seed, so a failure replays.
 */
const MAX_MESSAGE = 64 * 1024

let h: Harness
let node: SyncNode
let team: Team
let writer: Peer
let watcher: Peer
let extra: Peer[] = []
let marker = 0

beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h, { limits: { maxMessageBytes: MAX_MESSAGE } })
  team = await teamWithEveryRole(h)
  writer = connectPeer(node, team.shared, sessionToken(team.byRole.member))
  watcher = connectPeer(node, team.shared, sessionToken(team.byRole.admin))
  await Promise.all([synced(writer), synced(watcher)])
})
afterEach(async () => {
  // After every test: the good clients were never closed and the room still serves.
  expect(writer.closes).toEqual([])
  expect(watcher.closes).toEqual([])
  await expectRoomServes()
  for (const p of extra) p.destroy()
  extra = []
})
afterAll(async () => {
  writer?.destroy()
  watcher?.destroy()
  await node?.stop()
  await h?.close()
})

/** A fresh edit by the good writer reaches the good watcher. */
async function expectRoomServes() {
  const text = `ok-${marker++};`
  writer.doc.getText('text').insert(writer.doc.getText('text').length, text)
  await until(
    () => textOf(watcher),
    (t) => t.includes(text),
  )
}

/** An authorized raw connection that sends `frame` once the server has greeted it; resolves with the close. */
async function sendBad(frame: Uint8Array) {
  const bad = rawClient(node, team.shared, { token: sessionToken(team.byRole.member) })
  await bad.opened
  // The server's sync step 1 comes first: the connection is authorized and in the room.
  await until(
    () => bad.messages.length,
    (n) => n >= 1,
  )
  bad.send(frame)
  // Bounded: a connection left open fails here, not at the test timeout.
  await until(bad.isClosed, (closed) => closed)
  return bad.closed
}

/** A small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function awarenessFrame(entries: { clientID: number; clock: number; state: unknown }[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const { clientID, clock, state } of entries) {
    encoding.writeVarUint(e, clientID)
    encoding.writeVarUint(e, clock)
    encoding.writeVarString(e, JSON.stringify(state))
  }
  return encodeAwareness(encoding.toUint8Array(e))
}

/** A valid update frame, of a document with a fixed client id so the bytes are the same every run. */
function validUpdate(text: string, clientID = 424242): Uint8Array {
  const doc = new Y.Doc()
  doc.clientID = clientID
  doc.getText('text').insert(0, text)
  return Y.encodeStateAsUpdate(doc)
}

describe('malformed input closes only the connection that sent it', () => {
  test('random bytes: each connection is closed with 4400', async () => {
    const random = prng(20261126)
    for (let i = 0; i < 30; i++) {
      const frame = new Uint8Array(2 + Math.floor(random() * 62)).map(() => Math.floor(random() * 256))
      const closed = await sendBad(frame)
      expect({ i, code: closed.code }).toEqual({ i, code: 4400 })
    }
  })

  test('truncated valid frames: each connection is closed with 4400', async () => {
    const frames = {
      update: encodeUpdate(validUpdate('truncated update')),
      step1: encodeSyncStep1(new Y.Doc()),
      awareness: awarenessFrame([{ clientID: 99, clock: 1, state: { user: 'x' } }]),
    }
    for (const [name, frame] of Object.entries(frames)) {
      const cuts = new Set([0, 1, 2, 3, Math.floor(frame.length / 2), frame.length - 2, frame.length - 1])
      for (const cut of cuts) {
        if (cut < 0 || cut >= frame.length) continue
        const closed = await sendBad(frame.slice(0, cut))
        expect({ name, cut, code: closed.code }).toEqual({ name, cut, code: 4400 })
      }
    }
    // Nothing of the truncated update was stored.
    expect(textOf({ doc: await storedDoc(h, team.shared) })).not.toContain('truncated')
  })

  test('valid messages with bytes after their end are malformed too', async () => {
    const junk = [7, 7, 7]
    const frames = [
      [...encodeUpdate(validUpdate('with a tail')), ...junk],
      [...encodeSyncStep1(new Y.Doc()), ...junk],
      [3, ...junk],
      [...awarenessFrame([{ clientID: 98, clock: 1, state: null }]), ...junk],
    ]
    for (const frame of frames) expect((await sendBad(new Uint8Array(frame))).code).toBe(4400)
    expect(textOf({ doc: await storedDoc(h, team.shared) })).not.toContain('with a tail')
  })

  test('unknown message types and sync sub-types: each connection is closed with 4400', async () => {
    const frames = [[4], [5, 1, 2, 3], [127], [0x80, 0x01], [0xff, 0xff, 0xff, 0xff, 0x0f], [0, 3, 0], [0, 9, 1, 0]]
    for (const frame of frames) {
      const closed = await sendBad(new Uint8Array(frame))
      expect({ frame, code: closed.code }).toEqual({ frame, code: 4400 })
    }
  })

  test('updates that decode but cannot be applied to this room are refused with 4400 and never break the room', async () => {
    // The room holds a document of a fixed client; mutations of its next
    // update are tried on a replica of the room until a few decode yet fail
    // to apply (Yjs throws part-way through integrating them).
    const seed = new Y.Doc()
    seed.clientID = 777
    Y.applyUpdate(seed, Y.encodeStateAsUpdate(watcher.doc))
    seed.getText('text').insert(0, 'seeded. ')
    seed.getMap('chats').set('c1', { title: 'first' })
    const seeding = rawClient(node, team.shared, { token: sessionToken(team.byRole.member) })
    await seeding.opened
    seeding.send(encodeUpdate(Y.encodeStateAsUpdate(seed)))
    await until(
      () => textOf(watcher),
      (t) => t.startsWith('seeded. '),
    )
    seeding.ws.close()
    const before = Y.encodeStateVector(seed)
    seed.getText('text').insert(3, 'XYZ')
    seed.getText('text').delete(0, 2)
    seed.getMap('chats').set('c2', new Y.Text('inner'))
    const next = Y.encodeStateAsUpdate(seed, before)

    const random = prng(7)
    const poisonous: Uint8Array[] = []
    for (let i = 0; i < 50_000 && poisonous.length < 3; i++) {
      const m = new Uint8Array(next)
      for (let f = 1 + Math.floor(random() * 3); f > 0; f--) m[Math.floor(random() * m.length)] = random() * 256
      try {
        Y.decodeUpdate(m)
      } catch {
        continue
      }
      const replica = new Y.Doc()
      Y.applyUpdate(replica, Y.encodeStateAsUpdate(watcher.doc))
      try {
        Y.applyUpdate(replica, m)
      } catch {
        poisonous.push(m)
      }
    }
    expect(poisonous.length).toBe(3)
    for (const m of poisonous) expect((await sendBad(encodeUpdate(m))).code).toBe(4400)
    await expectRoomServes()

    // A node that loads the room from the database afterwards serves it.
    const expected = textOf(watcher)
    const fresh = await startSyncNode(h)
    try {
      const reader = connectPeer(fresh, team.shared, sessionToken(team.byRole.viewer))
      extra.push(reader)
      await synced(reader)
      expect(textOf(reader)).toBe(expected)
    } finally {
      await fresh.stop()
    }
  })

  test('a frame over maxMessageBytes closes that connection with 1009 and stores nothing', async () => {
    const big = encodeUpdate(validUpdate('B'.repeat(MAX_MESSAGE)))
    expect(big.length).toBeGreaterThan(MAX_MESSAGE)
    const closed = await sendBad(big)
    expect(closed.code).toBe(1009)
    // Just under the limit is fine.
    const ok = rawClient(node, team.shared, { token: sessionToken(team.byRole.member) })
    await ok.opened
    ok.send(encodeUpdate(validUpdate('S'.repeat(MAX_MESSAGE - 100), 434343)))
    await until(
      () => textOf(watcher),
      (t) => t.includes('SSSS'),
    )
    expect(ok.isClosed()).toBe(false)
    ok.ws.close()
    expect(textOf({ doc: await storedDoc(h, team.shared) })).not.toContain('BBBB')
  })
})

describe('awareness for another client', () => {
  test('an awareness update claiming another connection’s client id is dropped and counted', async () => {
    writer.provider.awareness.setLocalStateField('user', { name: 'Writer' })
    const writerId = writer.doc.clientID
    const nameOf = () =>
      (watcher.provider.awareness.getStates().get(writerId) as { user?: { name?: string } } | undefined)?.user?.name
    await until(nameOf, (n) => n === 'Writer')
    const clock = (writer.provider.awareness.meta.get(writerId)?.clock ?? 0) + 10

    const impostor = rawClient(node, team.shared, { token: sessionToken(team.byRole.member) })
    await impostor.opened
    const dropped = node.server.metrics.droppedAwareness
    impostor.send(awarenessFrame([{ clientID: writerId, clock, state: { user: { name: 'Impostor' } } }]))
    // Mixed with an id of its own, the whole message is still refused.
    impostor.send(
      awarenessFrame([
        { clientID: 5551, clock: 1, state: { user: { name: 'Impostor' } } },
        { clientID: writerId, clock: clock + 1, state: null },
      ]),
    )
    await until(
      () => node.server.metrics.droppedAwareness - dropped,
      (n) => n === 2,
    )
    // Its own id alone is accepted: the channel works, and the two refusals did not pass before it.
    impostor.send(awarenessFrame([{ clientID: 5552, clock: 1, state: { user: { name: 'Own' } } }]))
    await until(
      () => watcher.provider.awareness.getStates().get(5552) as { user?: { name?: string } } | undefined,
      (s) => s?.user?.name === 'Own',
    )
    expect(nameOf()).toBe('Writer')
    expect(watcher.provider.awareness.getStates().has(5551)).toBe(false)
    impostor.ws.close()
  })
})

describe('awareness for a client on another node', () => {
  test('an impostor on another node cannot take over a client id it learned from the room', async () => {
    const [one, two] = [await startSyncNode(h, { redis: true }), await startSyncNode(h, { redis: true })]
    const victim = connectPeer(one, team.shared, sessionToken(team.byRole.member))
    const observer = connectPeer(one, team.shared, sessionToken(team.byRole.admin))
    try {
      victim.provider.awareness.setLocalStateField('user', { name: 'Victim' })
      await Promise.all([synced(victim), synced(observer)])
      const victimId = victim.doc.clientID
      const nameOf = () =>
        (observer.provider.awareness.getStates().get(victimId) as { user?: { name?: string } } | undefined)?.user?.name
      await until(nameOf, (n) => n === 'Victim')

      // The impostor learns the victim's id from the awareness the other node forwards to it.
      const impostor = rawClient(two, team.shared, { token: sessionToken(team.byRole.member) })
      await impostor.opened
      await until(
        () => two.server.rooms.get(team.shared)?.awareness.getStates().has(victimId) ?? false,
        (known) => known,
      )
      const clock = (victim.provider.awareness.meta.get(victimId)?.clock ?? 0) + 10
      const dropped = two.server.metrics.droppedAwareness
      impostor.send(awarenessFrame([{ clientID: victimId, clock, state: { user: { name: 'Impostor' } } }]))
      await until(
        () => two.server.metrics.droppedAwareness - dropped,
        (n) => n === 1,
      )
      // Its own id still works, and arrives after the refused message would have.
      impostor.send(awarenessFrame([{ clientID: 5553, clock: 1, state: { user: { name: 'Own' } } }]))
      await until(
        () => observer.provider.awareness.getStates().has(5553),
        (has) => has,
      )
      expect(nameOf()).toBe('Victim')
      impostor.ws.close()
    } finally {
      victim.destroy()
      observer.destroy()
      await one.stop()
      await two.stop()
    }
  })
})

describe('the server under a stream of bad clients', () => {
  test('keeps serving the room while bad and good connections come and go', async () => {
    const random = prng(99)
    const bad: Promise<{ code: number }>[] = []
    for (let i = 0; i < 20; i++) {
      const kind = i % 4
      const frame =
        kind === 0
          ? new Uint8Array([4 + Math.floor(random() * 100)])
          : kind === 1
            ? encodeUpdate(validUpdate('x')).slice(0, 3)
            : kind === 2
              ? new Uint8Array(MAX_MESSAGE + 1)
              : new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f])
      bad.push(sendBad(frame))
      if (i % 5 === 0) {
        const good = connectPeer(node, team.shared, sessionToken(team.byRole.viewer))
        extra.push(good)
      }
    }
    const codes = (await Promise.all(bad)).map((c) => c.code)
    expect(codes.filter((c) => c === 4400).length).toBe(15)
    expect(codes.filter((c) => c === 1009).length).toBe(5)
    await Promise.all(extra.map((p) => synced(p)))
    await expectRoomServes()
    for (const p of extra) expect(textOf(p)).toBe(textOf(watcher))
  })
})

describe('a handshake reset while it waits for its turn', () => {
  test('is dropped without ending the process, and the room keeps serving', async () => {
    // Room work queued ahead holds the handshakes behind it for several turns of the loop.
    const busy = Array.from({ length: 40 }, () =>
      yieldIfTurnSpent().then(() => {
        const until = performance.now() + 2
        while (performance.now() < until);
      }),
    )
    const resets = Array.from(
      { length: 5 },
      () =>
        new Promise<void>((resolve) => {
          const socket = net.connect(node.port, '127.0.0.1', () => {
            socket.write(
              'GET /sync/' +
                encodeURIComponent(team.shared) +
                ' HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
                'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
            )
            setTimeout(() => {
              socket.resetAndDestroy()
              resolve()
            }, 5)
          })
          socket.on('error', () => resolve())
        }),
    )
    await Promise.all([...busy, ...resets])
    // An unhandled 'error' on a waiting socket would have ended the test process before this.
    await expectRoomServes()
  })
})
