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
      const merged = Y.mergeUpdates(stored.updates)
      this.approxBytes = merged.byteLength
      Y.applyUpdate(this.doc, merged, LOAD_ORIGIN)
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
   * database error when it could not be stored; neither is applied.
   */
  applyClientUpdate(update: Uint8Array, origin: RoomPeer): Promise<void> {
    const run = async () => {
      if (this.approxBytes + update.byteLength > this.deps.limits.maxDocumentBytes) throw new DocumentTooLargeError()
      const started = performance.now()
      await this.deps.appender.append(this.name, this.workspaceId, update)
      this.deps.metrics.persisted(performance.now() - started)
      this.approxBytes += update.byteLength
      Y.applyUpdate(this.doc, update, origin)
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
      await compactRoom(this.deps.db, this.name, this.workspaceId, (updates) => Y.mergeUpdates(updates))
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
