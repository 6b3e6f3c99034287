import { PGlite } from '@electric-sql/pglite'
import { sql } from 'drizzle-orm'
import type { Db } from './client'

/** What `withConversionLock` ran, or that another holder had the lock. */
export type Locked<T> = { locked: true; value: T } | { locked: false }

const heldOnPglite = new WeakMap<PGlite, Set<string>>()

const lockKey = (room: string) => sql`hashtext(${'convert:' + room})`

function firstRow(result: unknown): Record<string, unknown> | undefined {
  // postgres-js returns the rows as an array; PGlite an object with `rows`.
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows
  return rows?.[0] as Record<string, unknown> | undefined
}

/**
 * Runs `fn` while holding the conversion lock of `room`, a PostgreSQL
 * advisory lock, so one node at a time converts a room; returns
 * `{ locked: false }` at once when another holds it. `fn` uses its own
 * queries (the lock is not a transaction of its work).
 *
 * On PostgreSQL the lock is a transaction lock on one pooled connection
 * kept for the duration: a node that dies (even `kill -9`) drops its
 * connection, and the lock with it. PGlite has one connection, which an
 * open transaction would keep from every other query, so there it is a
 * session lock taken and released around `fn`; one process holds a PGlite
 * database, and the caller keeps one conversion per room in that process.
 */
export async function withConversionLock<T>(db: Db, room: string, fn: () => Promise<T>): Promise<Locked<T>> {
  const client = (db as { $client?: unknown }).$client
  if (client instanceof PGlite) {
    // A session lock is re-entrant, and every caller here shares PGlite's one session: the set
    // keeps two holders in this process (two sync nodes of a test) apart.
    const held = heldOnPglite.get(client) ?? new Set<string>()
    heldOnPglite.set(client, held)
    if (held.has(room)) return { locked: false }
    held.add(room)
    try {
      const got = firstRow(await db.execute(sql`select pg_try_advisory_lock(${lockKey(room)}) as locked`))
      if (got?.locked !== true) return { locked: false }
      try {
        return { locked: true, value: await fn() }
      } finally {
        await db.execute(sql`select pg_advisory_unlock(${lockKey(room)})`)
      }
    } finally {
      held.delete(room)
    }
  }
  return db.transaction(async (tx) => {
    const got = firstRow(await tx.execute(sql`select pg_try_advisory_xact_lock(${lockKey(room)}) as locked`))
    if (got?.locked !== true) return { locked: false as const }
    return { locked: true as const, value: await fn() }
  })
}
