import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { Db } from './client'
import { roomSnapshot, roomUpdate } from './schema'

/**
 * Durable storage of sync rooms: an append-only update log per room plus one
 * compacted snapshot. Yjs state is opaque bytes here; merging is passed in by
 * the sync server, which knows Yjs.
 */

export interface StoredRoom {
  /** The snapshot first (if any), then every logged update in order. */
  updates: Uint8Array[]
  logLength: number
}

/**
 * A snapshot is read in parts of this many bytes. The postgres-js driver
 * carries bytea as hex text and decodes a row in one go: about 5 ms of
 * blocked event loop per megabyte in one callback (more on a busy
 * machine: a part of 256 KB measured 6-13 ms), while parts arrive and
 * decode in callbacks of their own.
 */
export const SNAPSHOT_PART_BYTES = 64 * 1024
/**
 * A snapshot is written in parts of this many bytes: each part after the
 * first is appended to the stored value, which the database rewrites
 * whole, so fewer and larger parts than for reading; encoding a part as a
 * parameter costs the event loop less than decoding one.
 */
export const SNAPSHOT_WRITE_PART_BYTES = 256 * 1024

/** postgres-js returns the rows as an array; PGlite an object with `rows`. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as Record<string, unknown>[]
}

/** `state` cut into parts of `SNAPSHOT_WRITE_PART_BYTES` (views, not copies); one empty part for an empty state. */
function snapshotParts(state: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = []
  for (let at = 0; at < state.byteLength; at += SNAPSHOT_WRITE_PART_BYTES)
    parts.push(state.subarray(at, at + SNAPSHOT_WRITE_PART_BYTES))
  return parts.length ? parts : [state]
}

/** Bytes as a raw query parameter: postgres-js sends a Buffer as bytea; PGlite takes any Uint8Array. */
function asDriverBytes(bytes: Uint8Array): Uint8Array {
  return typeof Buffer !== 'undefined' ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes
}

/** The room's snapshot, read in parts of `SNAPSHOT_PART_BYTES`; null when it has none. */
async function readSnapshot(tx: Pick<Db, 'execute'>, room: string): Promise<Uint8Array | null> {
  const rows = rowsOf(
    await tx.execute(sql`
      select substring(state from part for ${SNAPSHOT_PART_BYTES}) as bytes
      from room_snapshot, generate_series(1, greatest(length(state), 1), ${SNAPSHOT_PART_BYTES}) as part
      where room = ${room}
      order by part`),
  )
  if (!rows.length) return null
  const parts = rows.map((row) => row.bytes as Uint8Array)
  const state = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let at = 0
  for (const part of parts) {
    state.set(part, at)
    at += part.byteLength
  }
  return state
}

export async function loadRoom(db: Db, room: string): Promise<StoredRoom> {
  // One snapshot of the database for both reads, so a compaction committing
  // in between can't hide rows (moved into a snapshot we did not see).
  return db.transaction(
    async (tx) => {
      const snapshot = await readSnapshot(tx, room)
      // No id filter: compaction deletes exactly the rows it merged, so every
      // row still here is wanted, even one that committed late with a smaller id.
      const rows = await tx
        .select({ update: roomUpdate.update })
        .from(roomUpdate)
        .where(eq(roomUpdate.room, room))
        .orderBy(asc(roomUpdate.id))
      return { updates: [...(snapshot ? [snapshot] : []), ...rows.map((r) => r.update)], logLength: rows.length }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

export async function appendUpdate(db: Db, room: string, workspaceId: string, update: Uint8Array): Promise<number> {
  const [row] = await db.insert(roomUpdate).values({ room, workspaceId, update }).returning({ id: roomUpdate.id })
  return row.id
}

/**
 * Folds the log into the snapshot. Runs under a transaction-scoped advisory
 * lock per room, so several nodes never compact one room at once; the new
 * snapshot is written before the merged rows are deleted, in one transaction.
 * Returns the number of log rows folded (0 when below `minLog`).
 */
export async function compactRoom(
  db: Db,
  room: string,
  workspaceId: string,
  merge: (updates: Uint8Array[]) => Uint8Array | Promise<Uint8Array>,
  minLog = 1,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'room:' + room}))`)
    const snapshot = await readSnapshot(tx, room)
    const rows = await tx
      .select({ id: roomUpdate.id, update: roomUpdate.update })
      .from(roomUpdate)
      .where(eq(roomUpdate.room, room))
      .orderBy(asc(roomUpdate.id))
    if (rows.length < minLog || rows.length === 0) return 0
    const state = await merge([...(snapshot ? [snapshot] : []), ...rows.map((r) => r.update)])
    const upToId = rows[rows.length - 1].id
    // Written in parts (see SNAPSHOT_WRITE_PART_BYTES): the first
    // replaces the old state, the others are appended in order.
    const [first, ...rest] = snapshotParts(state)
    await tx
      .insert(roomSnapshot)
      .values({ room, workspaceId, state: first, upToId, updateCount: rows.length })
      .onConflictDoUpdate({
        target: roomSnapshot.room,
        set: {
          state: sql`excluded.state`,
          upToId,
          updateCount: sql`${roomSnapshot.updateCount} + ${rows.length}`,
          updatedAt: new Date(),
        },
      })
    for (const part of rest) {
      await tx
        .update(roomSnapshot)
        .set({ state: sql`${roomSnapshot.state} || ${asDriverBytes(part)}` })
        .where(eq(roomSnapshot.room, room))
    }
    const ids = rows.map((r) => r.id)
    for (let i = 0; i < ids.length; i += 1000) {
      await tx.delete(roomUpdate).where(and(eq(roomUpdate.room, room), inArray(roomUpdate.id, ids.slice(i, i + 1000))))
    }
    return rows.length
  })
}

export interface UpdateAppender {
  /** Resolves once the update is committed; rejects when it could not be stored. */
  append(room: string, workspaceId: string, update: Uint8Array): Promise<void>
}

interface PendingAppend {
  room: string
  workspaceId: string
  update: Uint8Array
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * Appends from every room go through one writer, one INSERT in flight at a
 * time: what arrives meanwhile (from many rooms) waits and goes in the next
 * multi-row INSERT, so under load each commit carries many updates (group
 * commit) and a lone update goes out at once. Each caller still waits for
 * its own commit, so "stored before broadcast" holds. A failing batch is
 * retried row by row so one bad row fails only its own caller.
 */
export function createUpdateAppender(db: Db, maxBatch = 500): UpdateAppender {
  const pending: PendingAppend[] = []
  let writing = false
  // A lone update (the usual case) runs a statement prepared once: building
  // the query anew on every edit was most of the append's CPU and garbage.
  const appendOne = db
    .insert(roomUpdate)
    .values({
      room: sql.placeholder('room'),
      workspaceId: sql.placeholder('workspaceId'),
      update: sql.placeholder('update'),
    })
    .prepare('append_room_update')
  const write = (rows: PendingAppend[]) =>
    rows.length === 1
      ? appendOne.execute({ room: rows[0].room, workspaceId: rows[0].workspaceId, update: rows[0].update })
      : db.insert(roomUpdate).values(rows.map(({ room, workspaceId, update }) => ({ room, workspaceId, update })))
  const drain = async () => {
    writing = true
    try {
      while (pending.length) {
        const batch = pending.splice(0, maxBatch)
        try {
          await write(batch)
          for (const p of batch) p.resolve()
        } catch {
          for (const p of batch) await write([p]).then(p.resolve, p.reject)
        }
      }
    } finally {
      writing = false
    }
  }
  return {
    append(room, workspaceId, update) {
      return new Promise((resolve, reject) => {
        pending.push({ room, workspaceId, update, resolve, reject })
        if (!writing) void drain()
      })
    },
  }
}

/** The advisory lock key of a room's storage, shared by compaction, deletion and copies. */
const roomLockKey = (room: string) => sql`hashtext(${'room:' + room})`

/**
 * Deletes a room's stored updates and snapshot (a deleted chat's room).
 * Under the room's lock, so a compaction in flight cannot write its
 * snapshot back after. Returns the number of log rows deleted.
 */
export async function deleteRoomStorage(db: Db, room: string): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${roomLockKey(room)})`)
    await tx.delete(roomSnapshot).where(eq(roomSnapshot.room, room))
    const deleted = await tx.delete(roomUpdate).where(eq(roomUpdate.room, room)).returning({ id: roomUpdate.id })
    return deleted.length
  })
}

/**
 * Copies room `from`'s stored state (its snapshot and every logged update,
 * the same bytes) into room `to`'s log, skipping updates `to`'s log already
 * holds byte for byte: a copy run again adds nothing. (Had `to` compacted
 * meanwhile, a second copy adds the updates again, which Yjs applies as
 * nothing: an update applied twice changes nothing.) With `deleteSource`,
 * `from`'s storage is deleted in the same transaction, so nothing written
 * to it before is lost. Both rooms' locks are held, in a fixed order, so a
 * compaction of either never runs halfway through. Returns the updates added.
 */
export async function copyRoomStorage(
  db: Db,
  from: string,
  to: string,
  workspaceId: string,
  options: { deleteSource?: boolean } = {},
): Promise<Uint8Array[]> {
  if (from === to) throw new Error('copyRoomStorage: a room cannot be copied onto itself')
  return db.transaction(async (tx) => {
    for (const room of [from, to].sort()) await tx.execute(sql`select pg_advisory_xact_lock(${roomLockKey(room)})`)
    const [snapshot] = await tx
      .select({ state: roomSnapshot.state })
      .from(roomSnapshot)
      .where(eq(roomSnapshot.room, from))
    const rows = await tx
      .select({ update: roomUpdate.update })
      .from(roomUpdate)
      .where(eq(roomUpdate.room, from))
      .orderBy(asc(roomUpdate.id))
    const source = [...(snapshot ? [snapshot.state] : []), ...rows.map((r) => r.update)]
    const present = new Set(
      (await tx.select({ update: roomUpdate.update }).from(roomUpdate).where(eq(roomUpdate.room, to))).map((r) =>
        Buffer.from(r.update).toString('base64'),
      ),
    )
    const added = source.filter((update) => {
      const key = Buffer.from(update).toString('base64')
      if (present.has(key)) return false
      present.add(key)
      return true
    })
    for (let i = 0; i < added.length; i += 500) {
      await tx.insert(roomUpdate).values(added.slice(i, i + 500).map((update) => ({ room: to, workspaceId, update })))
    }
    if (options.deleteSource) {
      await tx.delete(roomSnapshot).where(eq(roomSnapshot.room, from))
      await tx.delete(roomUpdate).where(eq(roomUpdate.room, from))
    }
    return added
  })
}
