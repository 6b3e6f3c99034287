import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { appendUpdate, compactRoom } from '../../db/room-storage'
import { roundTrip, storedDoc, synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, type Peer } from './sync-harness'
import { useSyncSuite } from './sync-suite'

const suite = useSyncSuite()

/** An index-like map of `count` entries of about 400 bytes: a room large enough to be answered from its kept updates. */
function bigState(count: number, clientID: number) {
  const doc = new Y.Doc()
  doc.clientID = clientID
  const entries = doc.getMap<Y.Map<unknown>>('entries')
  for (let i = 0; i < count; i++) {
    const entry = new Y.Map<unknown>()
    entries.set(`e${i}`, entry)
    entry.set('title', `entry ${i}`)
    entry.set('activity', { count: i, preview: 'p'.repeat(350) })
  }
  return doc
}

const peers: Peer[] = []
function join(room: string, token: string, doc?: Y.Doc): Peer {
  const peer = connectPeer(suite.node, room, token, false)
  if (doc) Y.applyUpdate(peer.doc, Y.encodeStateAsUpdate(doc))
  peer.provider.connect()
  peers.push(peer)
  return peer
}

describe('the first sync of a large room', () => {
  test('a client with nothing, one with an old copy and one holding everything all end with the stored document, while another writes', async () => {
    const team = await teamWithEveryRole(suite.h)
    const room = team.shared
    const source = bigState(1500, 4242)
    await appendUpdate(suite.h.db, room, team.ws.id, Y.encodeStateAsUpdate(source))
    // A copy from before the later log updates: it lacks some entries and has old titles.
    const old = new Y.Doc()
    Y.applyUpdate(old, Y.encodeStateAsUpdate(source))
    const entries = source.getMap<Y.Map<unknown>>('entries')
    for (let round = 0; round < 3; round++) {
      const before = Y.encodeStateVector(source)
      source.transact(() => {
        for (let i = 0; i < 40; i++) entries.get(`e${round * 40 + i}`)!.set('title', `renamed ${round} ${i}`)
        entries.delete(`e${1000 + round}`)
      })
      await appendUpdate(suite.h.db, room, team.ws.id, Y.encodeStateAsUpdate(source, before))
    }
    expect(Y.encodeStateAsUpdate(source).byteLength).toBeGreaterThan(300_000)

    try {
      const writer = join(room, sessionToken(team.byRole.member))
      await synced(writer, 15_000)
      expect(writer.doc.getMap('entries').toJSON()).toEqual(entries.toJSON())
      // Writes go on while the others sync: they reach them as updates after, or in, their answer.
      const writes = setInterval(() => writer.doc.getMap<string>('live').set(`k${Date.now()}`, 'v'), 5)
      const fresh = join(room, sessionToken(team.byRole.admin))
      const behind = join(room, sessionToken(team.byRole.owner), old)
      const current = join(room, sessionToken(team.byRole.viewer), source)
      await Promise.all([synced(fresh, 15_000), synced(behind, 15_000), synced(current, 15_000)])
      clearInterval(writes)
      await roundTrip(writer)
      const expected = writer.doc.getMap('live').toJSON()
      expect(Object.keys(expected).length).toBeGreaterThan(0)
      for (const peer of [fresh, behind, current]) {
        await until(
          () => Object.keys(peer.doc.getMap('live').toJSON()).length,
          (n) => n === Object.keys(expected).length,
          10_000,
        )
        expect(peer.doc.getMap('entries').toJSON()).toEqual(entries.toJSON())
        expect(peer.doc.getMap('live').toJSON()).toEqual(expected)
        expect(peer.doc.store.pendingStructs).toBeNull()
      }
      expect((await storedDoc(suite.h, room)).getMap('entries').toJSON()).toEqual(entries.toJSON())
    } finally {
      for (const peer of peers.splice(0)) peer.destroy()
    }
  }, 60_000)

  test('a room stored as one snapshot answers a client with nothing before it has loaded; writes made meanwhile still reach it', async () => {
    const team = await teamWithEveryRole(suite.h)
    const room = team.shared
    const source = bigState(1500, 5151)
    await appendUpdate(suite.h.db, room, team.ws.id, Y.encodeStateAsUpdate(source))
    await compactRoom(suite.h.db, room, team.ws.id, (updates) => Y.mergeUpdates(updates))
    try {
      // Both connect at once: the reader's answer may leave before the writer's first edit is applied.
      const writer = join(room, sessionToken(team.byRole.member))
      const reader = join(room, sessionToken(team.byRole.admin))
      writer.doc.getMap<string>('live').set('early', 'written before the room loaded')
      await Promise.all([synced(writer, 15_000), synced(reader, 15_000)])
      await roundTrip(writer)
      await until(
        () => reader.doc.getMap('live').get('early'),
        (value) => value !== undefined,
        10_000,
      )
      expect(reader.doc.getMap('entries').toJSON()).toEqual(source.getMap('entries').toJSON())
      expect(reader.doc.store.pendingStructs).toBeNull()
    } finally {
      for (const peer of peers.splice(0)) peer.destroy()
    }
  }, 60_000)

  test('a room compacted on the worker reloads to the same document', async () => {
    const team = await teamWithEveryRole(suite.h)
    const room = team.shared
    const source = bigState(800, 777)
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    const entries = source.getMap<Y.Map<unknown>>('entries')
    await appendUpdate(suite.h.db, room, team.ws.id, Y.encodeStateAsUpdate(source))
    for (let i = 0; i < 30; i++) entries.get(`e${i}`)!.set('title', `t${i}`)
    for (const update of updates) await appendUpdate(suite.h.db, room, team.ws.id, update)

    const hold = await suite.node.server.openRoom(room, team.ws.id)
    try {
      await hold.room.compact()
    } finally {
      hold.release()
    }
    const rows = await compactRoom(suite.h.db, room, team.ws.id, () => {
      throw new Error('nothing should be left to compact')
    })
    expect(rows).toBe(0)
    expect((await storedDoc(suite.h, room)).getMap('entries').toJSON()).toEqual(entries.toJSON())
  }, 60_000)
})
