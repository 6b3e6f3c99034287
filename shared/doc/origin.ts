/**
 * Transaction origins. Every mutation in `shared/doc` runs in
 * `doc.transact(fn, origin)` with one of these, so observers can tell who
 * wrote a change: the UndoManager tracks only local edits, and the server
 * can recognise its own writes (an AI answer streaming in, a migration) and
 * not treat them as a client's edit to check, meter or echo back.
 */

/** An edit made by the person at this client (typing, clicking). */
export interface LocalOrigin {
  readonly kind: 'local'
}

/** An edit made by the server on its own authority; `reason` names why, for logs. */
export interface ServerOrigin {
  readonly kind: 'server'
  readonly reason: string
}

/** A schema migration (see `migrateDoc`). */
export interface MigrationOrigin {
  readonly kind: 'migration'
}

/** The origin of every transaction `shared/doc` runs. */
export type DocOrigin = LocalOrigin | ServerOrigin | MigrationOrigin

/**
 * The one local origin. Yjs compares origins by identity (the UndoManager's
 * `trackedOrigins` is a Set), so local edits share this object rather than
 * each creating an equal one.
 */
export const LOCAL_ORIGIN: LocalOrigin = Object.freeze({ kind: 'local' })

/** The one migration origin, shared for the same reason as `LOCAL_ORIGIN`. */
export const MIGRATION_ORIGIN: MigrationOrigin = Object.freeze({ kind: 'migration' })

/** An origin for a server edit, e.g. `serverOrigin('ai-stream')`. */
export function serverOrigin(reason: string): ServerOrigin {
  return Object.freeze({ kind: 'server', reason })
}

/**
 * True for origins written by `shared/doc`. Transactions applied by a
 * provider (y-websocket, y-indexeddb) carry the provider object instead.
 */
export function isDocOrigin(origin: unknown): origin is DocOrigin {
  if (typeof origin !== 'object' || origin === null) return false
  const kind = (origin as { kind?: unknown }).kind
  if (kind === 'server') return typeof (origin as { reason?: unknown }).reason === 'string'
  return kind === 'local' || kind === 'migration'
}

/** True when the transaction was a server edit (an AI answer, a room-load cleanup, a move). */
export function isServerOrigin(origin: unknown): origin is ServerOrigin {
  return isDocOrigin(origin) && origin.kind === 'server'
}
