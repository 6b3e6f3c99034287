import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import type { Db } from '../db/client'
import { compactRoom, loadRoom, type UpdateAppender } from '../db/room-storage'
import type { Fanout, FanoutKind } from './fanout'
import type { SyncLimits } from './limits'
import type { Logger } from './logger'
import type { SyncMetrics } from './metrics'
import { encodeAwarenessStates, encodeUpdate } from './protocol'

/** A peer the room can send to: a local connection. */
export interface RoomPeer {
  send(message: Uint8Array): void
  /** The awareness client ids this peer speaks for. */
  readonly clientIds?: ReadonlySet<number>
}

/** Origin of changes that came from another node: never persisted or re-published here. */
export const REMOTE_ORIGIN = Symbol('remote')
const LOAD_ORIGIN = Symbol('load')

export class DocumentTooLargeError extends Error {}

/** A client update that decodes but that Yjs cannot apply to this document. */
export class UnappliableUpdateError extends Error {}

/**
 * Applies stored updates to `doc`: merged in one go or, when Yjs throws, one
 * by one, skipping those it cannot apply. Such an update is in the log
 * because updates are stored before they are applied (see
 * applyClientUpdate); skipping it keeps one bad client from making the room
 * unloadable for good. Returns how many were skipped.
 */
export function applyStoredUpdates(doc: Y.Doc, updates: Uint8Array[], origin: unknown): number {
  try {
    Y.applyUpdate(doc, Y.mergeUpdates(updates), origin)
    return 0
  } catch {
    let skipped = 0
    for (const update of updates) {
      try {
        Y.applyUpdate(doc, update, origin)
      } catch {
        skipped++
      }
    }
    return skipped
  }
}

interface RoomDeps {
  db: Db
  appender: UpdateAppender
  limits: SyncLimits
  metrics: SyncMetrics
  logger: Logger
  fanout: Fanout | null
}

/**
 * One sync room in memory: its document, awareness and local peers. Client
 * updates are appended to the database before they are applied and
 * broadcast, one at a time per room, so the order in the log is the order
 * peers see.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true })
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  readonly peers = new Set<RoomPeer>()
  readonly ready: Promise<void>
  /** Loading failed (say, the database was unreachable): the server opens the room anew for the next connection. */
  loadFailed = false
  private queue: Promise<unknown> = Promise.resolve()
  private sinceCompaction = 0
  private approxBytes = 0
  private unsubscribe: (() => Promise<void>) | null = null

  constructor(
    readonly name: string,
    readonly workspaceId: string,
    private readonly deps: RoomDeps,
  ) {
    // The server holds no awareness state of its own.
    this.awareness.setLocalState(null)
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return
      this.broadcast(encodeUpdate(update), origin)
      if (origin !== REMOTE_ORIGIN) this.publish('update', update)
    })
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        const changed = [...added, ...updated, ...removed]
        const message = encodeAwarenessStates(this.awareness, changed)
        if (!message) return
        this.broadcast(message, null)
        if (origin !== REMOTE_ORIGIN) {
          this.publish('awareness', awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
        }
      },
    )
    this.ready = this.load()
    // Handled at once: a failed load must not be an unhandled rejection (which ends the process).
    this.ready.catch((error: unknown) => {
      this.loadFailed = true
      this.deps.logger.error('room could not be loaded', { room: this.name, error: String(error) })
    })
  }

  private async load() {
    // Subscribe first: an update published between our read and the
    // subscription would otherwise be missed (applying one twice is harmless).
    if (this.deps.fanout) {
      this.unsubscribe = await this.deps.fanout.subscribe(this.name, (kind, payload) => {
        if (kind === 'update') Y.applyUpdate(this.doc, payload, REMOTE_ORIGIN)
        else if (kind === 'awareness') awarenessProtocol.applyAwarenessUpdate(this.awareness, payload, REMOTE_ORIGIN)
        else this.publishLocalAwareness()
      })
      // Presence set before this node opened the room was published to no
      // one here; without asking, our clients would not see it until each
      // remote client renews its state (up to 15 s).
      this.publish('awareness-query', new Uint8Array(0))
    }
    const stored = await loadRoom(this.deps.db, this.name)
    if (stored.updates.length) {
      const skipped = applyStoredUpdates(this.doc, stored.updates, LOAD_ORIGIN)
      if (skipped) this.deps.logger.warn('skipped stored updates that cannot be applied', { room: this.name, skipped })
      this.approxBytes = Y.encodeStateAsUpdate(this.doc).byteLength
    }
    this.sinceCompaction = stored.logLength
  }

  /** Answers an awareness query: the states of this node's own clients only, so nodes never echo each other's. */
  private publishLocalAwareness() {
    const states = this.awareness.getStates()
    const ids = [...this.peers].flatMap((peer) => [...(peer.clientIds ?? [])]).filter((id) => states.has(id))
    if (ids.length) this.publish('awareness', awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids))
  }

  private publish(kind: FanoutKind, payload: Uint8Array) {
    // A Redis outage must not become an unhandled rejection that ends the process;
    // clients on other nodes catch up when they resync.
    this.deps.fanout?.publish(this.name, kind, payload).catch((error: unknown) => {
      this.deps.logger.warn('fan-out publish failed', { room: this.name, kind, error: String(error) })
    })
  }

  private broadcast(message: Uint8Array, except: unknown) {
    for (const peer of this.peers) if (peer !== except) peer.send(message)
  }

  /**
   * Persists a client's update, then applies it (which broadcasts it).
   * Rejects with DocumentTooLargeError past the size limit, and with the
   * database error when it could not be stored; neither is applied. Rejects
   * with UnappliableUpdateError when Yjs throws while applying it.
   */
  applyClientUpdate(update: Uint8Array, origin: RoomPeer): Promise<void> {
    const run = async () => {
      if (this.approxBytes + update.byteLength > this.deps.limits.maxDocumentBytes) {
        // The running sum overcounts: every handshake resends the client's
        // whole delete set, and duplicates add nothing to the document. Near
        // the limit, measure the document itself (rarely: only then).
        this.approxBytes = Y.encodeStateAsUpdate(this.doc).byteLength
        if (this.approxBytes + update.byteLength > this.deps.limits.maxDocumentBytes) throw new DocumentTooLargeError()
      }
      const started = performance.now()
      await this.deps.appender.append(this.name, this.workspaceId, update)
      this.deps.metrics.persisted(performance.now() - started)
      this.approxBytes += update.byteLength
      try {
        Y.applyUpdate(this.doc, update, origin)
      } catch (error) {
        // Well-formed bytes that do not fit this document: only a broken or
        // hostile client sends them. They are in the log already; compacting
        // now folds them out (applyStoredUpdates skips them).
        void this.compact()
        throw new UnappliableUpdateError(String(error))
      }
      if (++this.sinceCompaction >= this.deps.limits.compactEvery) void this.compact()
    }
    const next = this.queue.then(run)
    this.queue = next.catch(() => {})
    return next
  }

  /** Folds the update log into the snapshot; failures are logged and retried next time. */
  async compact(): Promise<void> {
    this.sinceCompaction = 0
    try {
      // Through a document rather than Y.mergeUpdates: the snapshot is then
      // always an update Yjs can apply, whatever the log held.
      await compactRoom(this.deps.db, this.name, this.workspaceId, (updates) => {
        const doc = new Y.Doc()
        applyStoredUpdates(doc, updates, null)
        const state = Y.encodeStateAsUpdate(doc)
        doc.destroy()
        return state
      })
    } catch (error) {
      this.deps.logger.warn('compaction failed', { room: this.name, error: String(error) })
    }
  }

  /** Waits for queued writes, compacts, and releases the room. */
  async close(): Promise<void> {
    await this.queue
    await this.ready.catch(() => {})
    await this.compact()
    await this.unsubscribe?.()
    this.awareness.destroy()
    this.doc.destroy()
  }
}
