import { randomBytes } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  compactRoom,
  copyRoomStorage,
  createUpdateAppender,
  deleteRoomStorage,
  loadRoom,
  SNAPSHOT_PART_BYTES,
  SNAPSHOT_WRITE_PART_BYTES,
} from '../db/room-storage'
import { roomSnapshot, roomUpdate, workspace } from '../db/schema'
import { sharedChatRoom, sharedRoom } from '../shared/rooms'
import { createWorkspace } from './helpers/fixtures'
import { createHarness, signUp, type Harness } from './helpers/harness'

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h.close())

const bytes = (n: number) => new Uint8Array(randomBytes(n))

describe('the room update log', () => {
  test('concurrent appends from many rooms all commit, byte for byte, in order within each room', async () => {
    const owner = await signUp(h, 'Owner')
    const spaces = await Promise.all([0, 1, 2].map(() => createWorkspace(owner)))
    const appender = createUpdateAppender(h.database.logWriter)
    const sent = new Map<string, Uint8Array[]>()
    const appends: Promise<void>[] = []
    for (let i = 0; i < 60; i++) {
      const ws = spaces[i % 3]
      const room = sharedRoom(ws.id)
      const update = bytes(1 + (i % 7) * 13)
      sent.set(room, [...(sent.get(room) ?? []), update])
      appends.push(appender.append(room, ws.id, update))
    }
    await Promise.all(appends)
    for (const [room, updates] of sent) {
      const stored = await loadRoom(h.db, room)
      expect(stored.logLength).toBe(updates.length)
      expect(stored.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(
        updates.map((u) => Buffer.from(u).toString('hex')),
      )
    }
  })

  test('a snapshot is stored uncompressed, so each part reads only its own bytes', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const room = sharedRoom(ws.id)
    // Text repeats: the database would compress it, and then decompress it from the start for each part.
    const snapshot = new TextEncoder().encode('the same chat title again and again, '.repeat(20_000))
    await createUpdateAppender(h.database.logWriter).append(room, ws.id, bytes(5))
    await compactRoom(h.db, room, ws.id, () => snapshot)
    const result = await h.db.execute(
      sql`select pg_column_compression(state) as compression, length(state) as length from room_snapshot where room = ${room}`,
    )
    const [row] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
      compression: string | null
      length: number
    }[]
    expect(Number(row.length)).toBe(snapshot.byteLength)
    expect(row.compression).toBeNull()
    expect(Buffer.from((await loadRoom(h.db, room)).updates[0]).equals(Buffer.from(snapshot))).toBe(true)
  })

  test('a snapshot larger than a read part loads byte for byte, before the log', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const room = sharedRoom(ws.id)
    const appender = createUpdateAppender(h.database.logWriter)
    for (const size of [1, SNAPSHOT_PART_BYTES, 2 * SNAPSHOT_PART_BYTES + 17, 2 * SNAPSHOT_WRITE_PART_BYTES + 17]) {
      const snapshot = bytes(size)
      await appender.append(room, ws.id, bytes(5))
      await compactRoom(h.db, room, ws.id, () => snapshot)
      const later = bytes(9)
      await appender.append(room, ws.id, later)
      const stored = await loadRoom(h.db, room)
      expect(stored.logLength).toBe(1)
      expect(stored.updates).toHaveLength(2)
      expect(Buffer.from(stored.updates[0]).equals(Buffer.from(snapshot))).toBe(true)
      expect(Buffer.from(stored.updates[1]).equals(Buffer.from(later))).toBe(true)
    }
  })

  test('deleting a workspace deletes its log and snapshot, and no other workspace’s', async () => {
    const owner = await signUp(h, 'Owner')
    const [doomed, kept] = [await createWorkspace(owner), await createWorkspace(owner)]
    const appender = createUpdateAppender(h.database.logWriter)
    for (const ws of [doomed, kept]) {
      await appender.append(sharedRoom(ws.id), ws.id, bytes(10))
      await compactRoom(h.db, sharedRoom(ws.id), ws.id, (updates) => updates[updates.length - 1])
      await appender.append(sharedRoom(ws.id), ws.id, bytes(10))
    }
    await h.db.delete(workspace).where(eq(workspace.id, doomed.id))
    const rowsOf = async (id: string) => [
      (await h.db.select().from(roomUpdate).where(eq(roomUpdate.workspaceId, id))).length,
      (await h.db.select().from(roomSnapshot).where(eq(roomSnapshot.workspaceId, id))).length,
    ]
    expect(await rowsOf(doomed.id)).toEqual([0, 0])
    expect(await rowsOf(kept.id)).toEqual([1, 1])
  })
})

describe('a chat room’s storage', () => {
  const hex = (updates: Uint8Array[]) => updates.map((u) => Buffer.from(u).toString('hex'))

  test('deleting it removes its log and snapshot, and no other room’s', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const [doomed, kept] = [sharedChatRoom(ws.id, 'doomed'), sharedChatRoom(ws.id, 'kept')]
    const appender = createUpdateAppender(h.database.logWriter)
    for (const room of [doomed, kept]) {
      await appender.append(room, ws.id, bytes(10))
      await compactRoom(h.db, room, ws.id, (updates) => updates[updates.length - 1])
      await appender.append(room, ws.id, bytes(10))
    }
    expect(await deleteRoomStorage(h.db, doomed)).toBe(1)
    expect(await loadRoom(h.db, doomed)).toEqual({ updates: [], logLength: 0 })
    expect((await loadRoom(h.db, kept)).updates).toHaveLength(2)
    expect(await deleteRoomStorage(h.db, doomed)).toBe(0)
  })

  test('copying it adds the same bytes once, however often it runs; with deleteSource the source is gone', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const [from, to] = [sharedChatRoom(ws.id, 'from'), sharedChatRoom(ws.id, 'to')]
    const appender = createUpdateAppender(h.database.logWriter)
    const first = [bytes(20), bytes(30)]
    for (const u of first) await appender.append(from, ws.id, u)
    await compactRoom(h.db, from, ws.id, (updates) => new Uint8Array(Buffer.concat(updates)))
    const later = bytes(40)
    await appender.append(from, ws.id, later)
    const source = (await loadRoom(h.db, from)).updates

    expect(hex(await copyRoomStorage(h.db, from, to, ws.id))).toEqual(hex(source))
    expect(await copyRoomStorage(h.db, from, to, ws.id)).toEqual([])
    expect(hex((await loadRoom(h.db, to)).updates)).toEqual(hex(source))

    const last = bytes(50)
    await appender.append(from, ws.id, last)
    expect(hex(await copyRoomStorage(h.db, from, to, ws.id, { deleteSource: true }))).toEqual(hex([last]))
    expect(await loadRoom(h.db, from)).toEqual({ updates: [], logLength: 0 })
    expect(hex((await loadRoom(h.db, to)).updates)).toEqual(hex([...source, last]))
  })
})
