import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import {
  applyStoredUpdates,
  closeStaleMessages,
  countSidekiqs,
  migrateDoc,
  removeSidekiqs,
  serverOrigin,
  sidekiqsAddedBy,
} from '../shared/doc'
import { mayHoldSidekiqs } from '../db/plan-limits'
import type { Db } from '../db/client'
import { compactRoom, loadRoom, type UpdateAppender } from '../db/room-storage'
import type { Fanout, FanoutKind } from './fanout'
import type { SyncLimits } from './limits'
import type { Logger } from './logger'
import type { SyncMetrics } from './metrics'
import { encodeAwarenessStates, encodeUpdate } from './protocol'
import { SidekiqRights, undoSidekiqChanges, type UpdateAuthor } from './sidekiq-rights'

/** A peer the room can send to: a local connection. */
export interface RoomPeer {
  send(message: Uint8Array): void
  /** The awareness client ids this peer speaks for. */
  readonly clientIds?: ReadonlySet<number>
}

/** A peer whose updates the room applies: a connection with write access, speaking for its person. */
export interface RoomWriter extends RoomPeer, UpdateAuthor {}

/** Origin of changes that came from another node: never persisted or re-published here. */
export const REMOTE_ORIGIN = Symbol('remote')
const LOAD_ORIGIN = Symbol('load')

export class DocumentTooLargeError extends Error {}

/** A client update that decodes but that Yjs cannot apply to this document. */
export class UnappliableUpdateError extends Error {}

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
const PLAN_LIMIT_ORIGIN = serverOrigin('plan-limit')

export class Room {
  readonly doc = new Y.Doc({ gc: true })
  /** Watches the document from the start, so loading sets what each sidekiq was before any client's change. */
  private readonly sidekiqRights = new SidekiqRights(this.doc)
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  readonly peers = new Set<RoomPeer>()
  readonly ready: Promise<void>
  /** Loading failed (say, the database was unreachable): the server opens the room anew for the next connection. */
  loadFailed = false
  private queue: Promise<unknown> = Promise.resolve()
  private sinceCompaction = 0
  private approxBytes = 0
  private unsubscribe: (() => Promise<void>) | null = null
  /** Set while a server change runs: its updates are collected here, to be stored before they are broadcast. */
  private capture: Uint8Array[] | null = null
  /** Server-side users of the room (a generation streaming in); it stays open while any holds it. */
  holders = 0

  constructor(
    readonly name: string,
    readonly workspaceId: string,
    private readonly deps: RoomDeps,
  ) {
    // The server holds no awareness state of its own.
    this.awareness.setLocalState(null)
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD_ORIGIN) return
      if (this.capture) {
        this.capture.push(update)
        return
      }
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
    if (!stored.updates.length) return
    // Housekeeping in the room's own queue, stored like any server change:
    // an old document is brought to the current schema, and answers left
    // streaming by a process that died are ended (see closeAbandonedAnswers).
    void this.applyServerChange((doc) => {
      migrateDoc(doc)
      this.closeAbandonedAnswersIn(doc)
    }).catch((error: unknown) =>
      this.deps.logger.warn('room housekeeping failed', { room: this.name, error: String(error) }),
    )
  }

  /**
   * Ends answers still open after the longest an answer may take: whoever
   * was writing them is gone (a crashed process). Younger ones may be
   * streaming from another node, so they are left alone.
   */
  closeAbandonedAnswers(): Promise<void> {
    return this.applyServerChange((doc) => this.closeAbandonedAnswersIn(doc))
  }

  private closeAbandonedAnswersIn(doc: Y.Doc) {
    const closed = closeStaleMessages(
      doc,
      { reason: 'The answer was interrupted.', createdBefore: Date.now() - this.deps.limits.abandonedAnswerMs },
      serverOrigin('close-abandoned'),
    )
    if (closed.length) this.deps.logger.warn('closed abandoned answers', { room: this.name, count: closed.length })
  }

  /**
   * A change made by the server itself (an AI answer streaming in, room
   * housekeeping), held to the same rule as a client's: stored, then
   * broadcast. It is applied to the room's document at once (Yjs offers no
   * way to compute it elsewhere without copying the document), so a client
   * joining in that instant may receive it a moment before it is stored;
   * such a client holds it and would send it back after a crash.
   * Runs in the room's queue, after the client updates before it. Rejects
   * (the change stays in memory only) when it could not be stored, and with
   * whatever `change` throws (nothing applied, as its transaction did not run).
   */
  applyServerChange<T>(change: (doc: Y.Doc) => T): Promise<T> {
    const next = this.queue.then(async () => {
      await this.ready
      return this.storeServerChange(change)
    })
    this.queue = next.catch(() => {})
    return next
  }

  /** The body of applyServerChange, for callers already running in the room's queue. */
  private async storeServerChange<T>(change: (doc: Y.Doc) => T): Promise<T> {
    const captured: Uint8Array[] = []
    this.capture = captured
    let result: T
    try {
      result = change(this.doc)
    } finally {
      this.capture = null
    }
    if (!captured.length) return result
    const update = captured.length === 1 ? captured[0] : Y.mergeUpdates(captured)
    await this.deps.appender.append(this.name, this.workspaceId, update)
    this.approxBytes += update.byteLength
    this.broadcast(encodeUpdate(update), null)
    this.publish('update', update)
    if (++this.sinceCompaction >= this.deps.limits.compactEvery) void this.compact()
    return result
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
   * Persists a client's update, then applies it (which broadcasts it), then
   * undoes what in it its author may not do to sidekiqs.
   * Rejects with DocumentTooLargeError past the size limit, and with the
   * database error when it could not be stored; neither is applied. Rejects
   * with UnappliableUpdateError when Yjs throws while applying it.
   */
  applyClientUpdate(update: Uint8Array, origin: RoomWriter): Promise<void> {
    const run = async () => {
      if (this.approxBytes + update.byteLength > this.deps.limits.maxDocumentBytes) {
        // The running sum overcounts: every handshake resends the client's
        // whole delete set, and duplicates add nothing to the document. Near
        // the limit, measure the document itself (rarely: only then).
        this.approxBytes = Y.encodeStateAsUpdate(this.doc).byteLength
        if (this.approxBytes + update.byteLength > this.deps.limits.maxDocumentBytes) throw new DocumentTooLargeError()
      }
      const addedSidekiqs = sidekiqsAddedBy(this.doc, update)
      const started = performance.now()
      await this.deps.appender.append(this.name, this.workspaceId, update)
      this.deps.metrics.persisted(performance.now() - started)
      this.approxBytes += update.byteLength
      let unappliable: unknown = null
      try {
        this.sidekiqRights.applyAs(origin, () => Y.applyUpdate(this.doc, update, origin))
      } catch (error) {
        unappliable = error
      }
      // Before the error below too: Yjs may have applied part of the update before throwing.
      await this.undoRefusedSidekiqChanges()
      if (unappliable) {
        // Well-formed bytes that do not fit this document: only a broken or
        // hostile client sends them. They are in the log already; compacting
        // now folds them out (applyStoredUpdates skips them).
        void this.compact()
        throw new UnappliableUpdateError(String(unappliable))
      }
      if (++this.sinceCompaction >= this.deps.limits.compactEvery) void this.compact()
      if (addedSidekiqs.length) await this.refuseSidekiqsOverLimit(addedSidekiqs)
    }
    const next = this.queue.then(run)
    this.queue = next.catch(() => {})
    return next
  }

  /**
   * Sidekiq changes a client may not make (decision 013) are undone by the
   * server for every client, stored right after the update in the same turn
   * of the queue, so no later update lands in between. An undo that cannot
   * be stored stays in this node's memory only (logged), as any server
   * change would.
   */
  private async undoRefusedSidekiqChanges() {
    const refused = this.sidekiqRights.takeRefused()
    if (!refused.length) return
    this.deps.metrics.undoneSidekiqChanges += refused.length
    try {
      await this.storeServerChange((doc) => undoSidekiqChanges(doc, refused))
    } catch (error) {
      this.deps.logger.warn('refused sidekiq changes not undone', { room: this.name, error: String(error) })
    }
  }

  /**
   * Sidekiqs a client added beyond the workspace's plan are taken out again
   * by the server, for every client. A CRDT update cannot be refused: a
   * dropped one would leave its author's later edits waiting forever on it.
   * Checked in the room's queue, so two members adding at once cannot both
   * slip under the limit; sidekiqs that were there before a downgrade stay.
   */
  private async refuseSidekiqsOverLimit(added: string[]) {
    if (await mayHoldSidekiqs(this.deps.db, this.workspaceId, countSidekiqs(this.doc))) return
    this.deps.metrics.refusedSidekiqs += added.length
    void this.applyServerChange((doc) => removeSidekiqs(doc, added, PLAN_LIMIT_ORIGIN)).catch((error: unknown) =>
      this.deps.logger.warn('over-limit sidekiqs not removed', { room: this.name, error: String(error) }),
    )
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

  /** Waits for queued writes, compacts when the log holds `compactFrom` rows or more, and releases the room. */
  async close(compactFrom = 1): Promise<void> {
    await this.queue
    await this.ready.catch(() => {})
    if (this.sinceCompaction >= compactFrom) await this.compact()
    await this.unsubscribe?.()
    this.awareness.destroy()
    this.doc.destroy()
  }
}
