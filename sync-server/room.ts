import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'
import {
  closeStaleMessages,
  isDocOrigin,
  countSidekiqs,
  migrateDoc,
  removeSidekiqs,
  serverOrigin,
  sidekiqsAddedBy,
} from '../shared/doc'
import { AppError } from '../shared/errors'
import { mayHoldSidekiqs } from '../db/plan-limits'
import type { Db } from '../db/client'
import { compactRoom, loadRoom, type UpdateAppender } from '../db/room-storage'
import { yieldIfTurnSpent } from './turn-budget'
import type { Fanout, FanoutKind } from './fanout'
import type { Logger } from './logger'
import type { SyncMetrics } from './metrics'
import { encodeAwarenessStates, encodeUpdate } from './protocol'
import { applyAcrossTurns } from './apply-across-turns'
import { isWellFormedUpdate } from './update-pieces'
import { diffUpdatesOffThread, mergeStoredUpdates } from './yjs-worker'
import { maxRoomBytes, type ServerLimits } from './room-limits'
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
/** Origin of updates read back from storage (a moved chat's copied log): broadcast and published, not stored again. */
const STORED_ORIGIN = Symbol('stored')

/** True for the origin of a change a client sent (its connection), as opposed to the server's or another node's. */
export function isClientOrigin(origin: unknown): boolean {
  return typeof origin === 'object' && origin !== null && !isDocOrigin(origin)
}

export class DocumentTooLargeError extends Error {}

/** Kept updates past this many are folded into one, off the event loop. */
const KEPT_FOLD_AT = 200
/** Below this size a room's first-sync answer is encoded in the turn: cheaper than the trip to the worker. */
const ANSWER_IN_TURN_BYTES = 32 * 1024

/**
 * A server change (an AI answer) refused because the room is at its size
 * limit. The writer ends what it was writing with a change passed
 * `{ evenIfFull: true }` (a status, a few bytes).
 */
export class RoomFullError extends AppError {
  constructor() {
    super('LIMIT_REACHED', 'This chat is full: it has reached its size limit. Start a new chat to go on.')
    this.name = 'RoomFullError'
  }
}

/** A change to a room that was deleted (its chat deleted or moved) while the change waited. */
export class RoomGoneError extends AppError {
  constructor() {
    super('GONE', 'This chat was deleted or moved.')
    this.name = 'RoomGoneError'
  }
}

/** Where a stored (or, for `remote`, another node's) update came from. */
export type StoredChangeKind = 'client' | 'server' | 'remote'

/** Options of `Room.applyServerChange`. */
export interface ServerChangeOptions {
  /**
   * Apply it even when the room is at its size limit: for the few bytes
   * that end something (an answer's final status), and for conversions,
   * which must not drop what the old layout held.
   */
  evenIfFull?: boolean
}

/** A client update that decodes but that Yjs cannot apply to this document. */
export class UnappliableUpdateError extends Error {}

interface RoomDeps {
  db: Db
  appender: UpdateAppender
  limits: ServerLimits
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
  /** True while `approxBytes` is the document's measured size (nothing added since). */
  private exactBytes = false
  /** This room's size limit: a chat room's own, or the document limit. */
  readonly maxBytes: number
  /** Set once the room was deleted (its chat deleted or moved): nothing more is stored. */
  deleted = false

  /** Its stored updates are in the document: what it reads is what is stored (and what arrived since). */
  get isLoaded(): boolean {
    return this.loaded
  }
  private readonly storedListeners: ((kind: StoredChangeKind) => void)[] = []
  private unsubscribe: (() => Promise<void>) | null = null
  /** Set while a server change runs: its updates are collected here, to be stored before they are broadcast. */
  private capture: Uint8Array[] | null = null
  /** Server-side users of the room (a generation streaming in); it stays open while any holds it. */
  holders = 0
  /** Set once the stored updates are applied. */
  private loaded = false
  /**
   * The document as updates (what was loaded, then every change since),
   * from which first syncs are answered off the event loop; null when a
   * stored update could not be applied (the document is encoded instead).
   */
  private kept: Uint8Array[] | null = []
  private folding: Promise<void> | null = null
  /** The room's stored updates once read, when they can be sent as they are: first syncs need not wait for the room to load. */
  private readonly storedUpdates: Promise<Uint8Array[] | null>
  private resolveStoredUpdates: (updates: Uint8Array[] | null) => void = () => {}

  constructor(
    readonly name: string,
    readonly workspaceId: string,
    private readonly deps: RoomDeps,
  ) {
    this.maxBytes = maxRoomBytes(deps.limits, name)
    // The server holds no awareness state of its own.
    this.awareness.setLocalState(null)
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
    this.storedUpdates = new Promise((resolve) => (this.resolveStoredUpdates = resolve))
    this.ready = this.load()
    // Handled at once: a failed load must not be an unhandled rejection (which ends the process).
    this.ready.catch((error: unknown) => {
      this.resolveStoredUpdates(null)
      this.loadFailed = true
      this.deps.logger.error('room could not be loaded', { room: this.name, error: String(error) })
    })
  }

  /**
   * Every change to the document once it is loaded: broadcast, published,
   * kept. Attached after loading: Yjs encodes each transaction again for
   * `update` listeners, which for a loading room means encoding all of it.
   */
  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    this.keep(update)
    if (this.capture) {
      this.capture.push(update)
      return
    }
    this.broadcast(encodeUpdate(update), origin)
    if (origin !== REMOTE_ORIGIN) this.publish('update', update)
  }

  private keep(update: Uint8Array) {
    if (!this.kept) return
    this.kept.push(update)
    if (this.kept.length >= KEPT_FOLD_AT) void this.foldKept()
  }

  private async load() {
    // Other nodes' updates that arrive while this one loads: applied after what is stored.
    const arrivedWhileLoading: Uint8Array[] = []
    // Subscribe first: an update published between our read and the
    // subscription would otherwise be missed (applying one twice is harmless).
    if (this.deps.fanout) {
      this.unsubscribe = await this.deps.fanout.subscribe(this.name, (kind, payload) => {
        if (kind === 'update') {
          if (!this.loaded) return void arrivedWhileLoading.push(payload)
          Y.applyUpdate(this.doc, payload, REMOTE_ORIGIN)
          this.notifyStored('remote')
        } else if (kind === 'awareness') awarenessProtocol.applyAwarenessUpdate(this.awareness, payload, REMOTE_ORIGIN)
        else this.publishLocalAwareness()
      })
      // Presence set before this node opened the room was published to no
      // one here; without asking, our clients would not see it until each
      // remote client renews its state (up to 15 s).
      this.publish('awareness-query', new Uint8Array(0))
    }
    const stored = await loadRoom(this.deps.db, this.name)
    // Many rooms' reads complete in one poll of the loop (clients reconnecting after a restart).
    await yieldIfTurnSpent()
    // The snapshot was written by compaction, from a document: always an update Yjs can apply. Log
    // rows are what clients sent, stored before they were applied: sent on only if they read as updates.
    const storedBytes = stored.updates.reduce((sum, update) => sum + update.byteLength, 0)
    const snapshots = stored.updates.length - stored.logLength
    const sendable =
      storedBytes >= ANSWER_IN_TURN_BYTES &&
      stored.updates.slice(snapshots).every((update) => isWellFormedUpdate(update))
    this.resolveStoredUpdates(sendable ? stored.updates : null)
    let { skipped } = await applyAcrossTurns(this.doc, stored.updates, LOAD_ORIGIN)
    // Small, and applied in this turn: none can arrive between these and `loaded`. Sent on to
    // clients: one answered from the stored snapshot before the room loaded lacks them.
    const remote = arrivedWhileLoading.splice(0)
    for (const update of remote) {
      try {
        Y.applyUpdate(this.doc, update, LOAD_ORIGIN)
        this.broadcast(encodeUpdate(update), null)
      } catch {
        skipped++
      }
    }
    if (skipped) this.deps.logger.warn('skipped stored updates that cannot be applied', { room: this.name, skipped })
    // What was stored, not the document re-encoded: encoding a large room
    // again would block the loop as long as loading it. Stored updates
    // hold at least the document's size; `isFull` measures exactly only
    // when this says the room may be full.
    this.approxBytes = stored.updates.reduce((sum, update) => sum + update.byteLength, 0)
    this.exactBytes = false
    // An update Yjs refused may be half applied: the kept bytes would not match the document.
    this.kept = skipped ? null : [...stored.updates, ...remote]
    this.loaded = true
    this.doc.on('update', this.onUpdate)
    this.sinceCompaction = stored.logLength
    if (!stored.updates.length) return
    // Housekeeping in the room's own queue, stored like any server change:
    // an old document is brought to the current schema, and answers left
    // streaming by a process that died are ended (see closeAbandonedAnswers).
    void this.applyServerChange(
      (doc) => {
        migrateDoc(doc)
        this.closeAbandonedAnswersIn(doc)
      },
      { evenIfFull: true },
    ).catch((error: unknown) =>
      this.deps.logger.warn('room housekeeping failed', { room: this.name, error: String(error) }),
    )
  }

  /**
   * Ends answers still open after the longest an answer may take: whoever
   * was writing them is gone (a crashed process). Younger ones may be
   * streaming from another node, so they are left alone.
   */
  closeAbandonedAnswers(): Promise<void> {
    return this.applyServerChange((doc) => this.closeAbandonedAnswersIn(doc), { evenIfFull: true })
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
  applyServerChange<T>(change: (doc: Y.Doc) => T, options: ServerChangeOptions = {}): Promise<T> {
    const next = this.queue.then(async () => {
      await this.ready
      if (this.deleted) throw new RoomGoneError()
      // Checked before: a change applied cannot be taken back. A room grows
      // past its limit by one change at most (a token of an answer).
      if (!options.evenIfFull && (await this.isFull(0))) throw new RoomFullError()
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
    this.exactBytes = false
    this.broadcast(encodeUpdate(update), null)
    this.publish('update', update)
    if (++this.sinceCompaction >= this.deps.limits.compactEvery) void this.compact()
    this.notifyStored('server')
    return result
  }

  /**
   * Whether `adding` more bytes would take the room past its limit. The
   * running sum overcounts (every handshake resends the client's whole
   * delete set, and duplicates add nothing to the document), so near the
   * limit the document itself is measured, once until it changes again:
   * from the kept updates on the worker (which also folds them), as
   * encoding a full room of megabytes would hold the loop, once per write.
   * Called in the room's queue.
   */
  private async isFull(adding: number): Promise<boolean> {
    const over = () => (adding ? this.approxBytes + adding > this.maxBytes : this.approxBytes >= this.maxBytes)
    if (!over() || this.exactBytes) return over()
    await this.measure()
    return over()
  }

  private async measure() {
    const kept = this.kept
    if (kept?.length) {
      const parts = kept.slice()
      try {
        const state = parts.length === 1 ? parts[0] : (await mergeStoredUpdates(parts)).state
        this.replaceKept(parts, state)
        // Changes stored while the worker ran (remote ones) are counted as they are.
        const since = this.kept ? this.kept.slice(1) : []
        this.approxBytes = state.byteLength + since.reduce((sum, update) => sum + update.byteLength, 0)
        this.exactBytes = since.length === 0
        return
      } catch (error) {
        this.deps.logger.warn('room measured on the event loop', { room: this.name, error: String(error) })
      }
    }
    this.approxBytes = Y.encodeStateAsUpdate(this.doc).byteLength
    this.exactBytes = true
  }

  /**
   * Calls `listener` after each update of this room is stored and applied
   * (a client's or the server's), and after each update another node
   * stored arrives (`remote`). Listeners run in the room's turn: they
   * schedule work, they do not wait for it.
   */
  onStored(listener: (kind: StoredChangeKind) => void): void {
    this.storedListeners.push(listener)
  }

  private notifyStored(kind: StoredChangeKind) {
    for (const listener of this.storedListeners) {
      try {
        listener(kind)
      } catch (error) {
        this.deps.logger.error('room listener failed', { room: this.name, error: String(error) })
      }
    }
  }

  /**
   * Applies updates already in this room's storage (a moved chat's log,
   * copied there by the server): broadcast to this node's clients and
   * published to the other nodes, not stored again. In the room's queue.
   */
  applyStored(updates: Uint8Array[]): Promise<void> {
    const next = this.queue.then(async () => {
      await this.ready
      if (this.deleted || !updates.length) return
      const { skipped } = await applyAcrossTurns(this.doc, updates, STORED_ORIGIN)
      if (skipped) this.deps.logger.warn('skipped stored updates that cannot be applied', { room: this.name, skipped })
      // Counted, not measured: encoding the document again would hold the loop as long as applying it.
      this.approxBytes += updates.reduce((sum, update) => sum + update.byteLength, 0)
      this.exactBytes = false
      this.notifyStored('server')
    })
    this.queue = next.catch(() => {})
    return next
  }

  /**
   * What a client holding `stateVector` lacks, for its sync step 2, as one
   * or more updates (sent in order, the last as the step 2). A large room
   * answers from its kept updates and never encodes its document for it:
   * that would hold the loop for tens of milliseconds per client that
   * connects. A client with nothing gets the kept updates as they are,
   * or, while the room is still loading, the stored ones; any other client
   * what of each it lacks, worked out on the worker. Changes made meanwhile
   * reach the client as updates: it is a peer by then.
   */
  async syncAnswer(stateVector: Uint8Array): Promise<Uint8Array[]> {
    const hasNothing = stateVector.byteLength <= 1
    if (!this.loaded && hasNothing) {
      const stored = await this.storedUpdates
      if (stored?.length) return stored
    }
    await this.ready
    const kept = this.kept
    if (!kept?.length || this.approxBytes < ANSWER_IN_TURN_BYTES) return [Y.encodeStateAsUpdate(this.doc, stateVector)]
    const parts = kept.slice()
    if (hasNothing) return parts
    try {
      return await diffUpdatesOffThread(parts, stateVector)
    } catch (error) {
      this.deps.logger.warn('first sync answered on the event loop', { room: this.name, error: String(error) })
      return [Y.encodeStateAsUpdate(this.doc, stateVector)]
    }
  }

  /** Folds the kept updates into one, off the event loop, so they stay few and hold no deleted content. */
  private foldKept() {
    if (this.folding || !this.kept) return
    const parts = this.kept.slice()
    this.folding = mergeStoredUpdates(parts)
      .then(({ state }) => this.replaceKept(parts, state))
      .catch((error: unknown) =>
        this.deps.logger.warn('kept updates not folded', { room: this.name, error: String(error) }),
      )
      .finally(() => (this.folding = null))
  }

  /** Replaces the kept updates `parts` by `merged`, unless they were replaced meanwhile. */
  private replaceKept(parts: Uint8Array[], merged: Uint8Array) {
    // Kept updates are only appended or replaced from the front: the same first one means the same prefix.
    if (this.kept && this.kept[0] === parts[0]) this.kept.splice(0, parts.length, merged)
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
      if (this.deleted) throw new RoomGoneError()
      if (await this.isFull(update.byteLength)) throw new DocumentTooLargeError()
      const addedSidekiqs = sidekiqsAddedBy(this.doc, update)
      const started = performance.now()
      await this.deps.appender.append(this.name, this.workspaceId, update)
      this.deps.metrics.persisted(performance.now() - started)
      this.approxBytes += update.byteLength
      this.exactBytes = false
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
      this.notifyStored('client')
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
    void this.applyServerChange((doc) => removeSidekiqs(doc, added, PLAN_LIMIT_ORIGIN), { evenIfFull: true }).catch(
      (error: unknown) =>
        this.deps.logger.warn('over-limit sidekiqs not removed', { room: this.name, error: String(error) }),
    )
  }

  /** Folds the update log into the snapshot; failures are logged and retried next time. */
  async compact(): Promise<void> {
    this.sinceCompaction = 0
    // A deleted room's storage is gone; a snapshot written now would bring it back.
    if (this.deleted) return
    try {
      // Through a document rather than Y.mergeUpdates: the snapshot is then
      // always an update Yjs can apply, whatever the log held. On the worker:
      // a room of megabytes takes a thread for a hundred milliseconds or more.
      await compactRoom(
        this.deps.db,
        this.name,
        this.workspaceId,
        async (updates) => (await mergeStoredUpdates(updates)).state,
      )
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
