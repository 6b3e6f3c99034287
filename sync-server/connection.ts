import type { RawData, WebSocket } from 'ws'
import { AppError } from '../shared/errors'
import type { WorkspaceRole } from '../shared/roles'
import { CloseCode } from './close-codes'
import { StallClock, TokenBucket, type SyncLimits } from './limits'
import type { Logger } from './logger'
import type { SyncMetrics } from './metrics'
import { decodeClientMessage, encodeAwarenessStates, encodeSyncStep1, encodeSyncStep2, encodeUpdate } from './protocol'
import { DocumentTooLargeError, UnappliableUpdateError, type Room, type RoomWriter } from './room'
import * as awarenessProtocol from 'y-protocols/awareness'

const NO_CLIENT_IDS: ReadonlySet<number> = new Set()

/** One per process: a stall holds every connection alike. Created with the first connection. */
let stallClock: StallClock | null = null

export interface ConnectionDeps {
  limits: SyncLimits
  metrics: SyncMetrics
  logger: Logger
  /** Called once when the socket has closed and the connection left its room. */
  onClosed(connection: Connection): void
}

export const toBytes = (data: RawData): Uint8Array =>
  Array.isArray(data) ? new Uint8Array(Buffer.concat(data)) : new Uint8Array(data as ArrayBuffer)

/**
 * One authorized client in one room. Messages are handled strictly in
 * order; any protocol violation closes this connection only.
 *
 * A node holds thousands of these, mostly idle: the state is kept to what
 * the connection needs (no copy of the whole access record, no set until
 * the client announces presence, one timer reused for every ping).
 */
export class Connection implements RoomWriter {
  private ownedClientIds: Set<number> | null = null
  private readonly bucket: TokenBucket
  private queue: Promise<void> = Promise.resolve()
  private alive = true
  private pingTimer: NodeJS.Timeout | null = null
  /**
   * Bytes of the first sync answer still allowed in the outgoing buffer
   * beyond maxBufferedBytes: a client that just asked for a large room is
   * not slow when updates broadcast meanwhile queue behind that answer.
   * Dropped once the buffer is back under the limit.
   */
  private firstAnswerAllowance = 0
  private answeredFirstSync = false
  closed = false

  constructor(
    readonly ws: WebSocket,
    readonly room: Room,
    readonly userId: string,
    /** As authorized; a role change closes the connection, so it stays current. */
    readonly role: WorkspaceRole,
    /** Viewers read only. */
    readonly canWrite: boolean,
    private readonly deps: ConnectionDeps,
  ) {
    stallClock ??= new StallClock()
    this.bucket = new TokenBucket(deps.limits.messagesPerSecond, deps.limits.messageBurst, stallClock)
  }

  get workspaceId() {
    return this.room.workspaceId
  }

  get clientIds(): ReadonlySet<number> {
    return this.ownedClientIds ?? NO_CLIENT_IDS
  }

  /** Joins the room: the server's state vector and the current awareness go first, then queued messages. */
  start(pending: Uint8Array[]) {
    this.room.peers.add(this)
    // The state vector of the loaded document only: sent from a room still
    // loading (empty), it makes the client send back all it has, stored again.
    this.room.ready.then(
      () => {
        this.send(encodeSyncStep1(this.room.doc))
        const states = encodeAwarenessStates(this.room.awareness)
        if (states) this.send(states)
      },
      () => this.close(CloseCode.INTERNAL_ERROR, 'room could not be loaded'),
    )
    for (const data of pending) this.receive(data)
    this.ws.on('message', this.onMessage)
    this.ws.on('pong', this.onPong)
    this.ws.once('close', this.onClose)
    // Per-connection, jittered keepalive: no loop over every socket at once.
    // Whole 100 ms steps, since node keeps one timer list per distinct duration.
    const interval = this.deps.limits.pingIntervalMs
    this.pingTimer = setTimeout(this.onPingDue, Math.round((interval * (0.75 + Math.random() * 0.5)) / 100) * 100)
    this.pingTimer.unref()
  }

  private readonly onMessage = (data: RawData) => this.receive(toBytes(data))

  private readonly onPong = () => {
    this.alive = true
  }

  private readonly onPingDue = () => {
    if (!this.alive) return this.ws.terminate()
    this.alive = false
    this.ws.ping()
    this.pingTimer?.refresh()
  }

  private readonly onClose = () => {
    this.detach()
    this.deps.onClosed(this)
  }

  send(message: Uint8Array) {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return
    const buffered = this.ws.bufferedAmount
    if (buffered <= this.deps.limits.maxBufferedBytes) this.firstAnswerAllowance = 0
    else if (buffered > this.deps.limits.maxBufferedBytes + this.firstAnswerAllowance) {
      this.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer')
      return
    }
    this.deps.metrics.messagesOut++
    this.ws.send(message)
  }

  /**
   * A sync answer, in one or more messages, goes out whole: the
   * slow-consumer check applies before it, not between its parts. The first
   * one's size is then allowed on top of the buffer limit while it drains.
   */
  private sendAnswer(messages: Uint8Array[]) {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return
    const buffered = this.ws.bufferedAmount
    if (buffered <= this.deps.limits.maxBufferedBytes) this.firstAnswerAllowance = 0
    else if (buffered > this.deps.limits.maxBufferedBytes + this.firstAnswerAllowance) {
      this.close(CloseCode.TRY_AGAIN_LATER, 'slow consumer')
      return
    }
    let bytes = 0
    for (const message of messages) {
      this.deps.metrics.messagesOut++
      this.ws.send(message)
      bytes += message.byteLength
    }
    if (!this.answeredFirstSync) {
      this.answeredFirstSync = true
      this.firstAnswerAllowance = bytes
    }
  }

  receive(data: Uint8Array) {
    this.deps.metrics.messagesIn++
    if (!this.bucket.take()) return this.close(CloseCode.POLICY_VIOLATION, 'rate limit')
    this.queue = this.queue.then(() => this.handle(data)).catch((error: unknown) => this.fail(error))
  }

  private async handle(data: Uint8Array) {
    if (this.closed) return
    let message
    try {
      message = decodeClientMessage(data)
    } catch {
      return this.close(CloseCode.MALFORMED, 'malformed message')
    }
    // A first sync may be answered before the room has loaded (Room.syncAnswer); the rest waits for it.
    if (message.type !== 'sync-step1') await this.room.ready
    switch (message.type) {
      case 'sync-step1': {
        const parts = await this.room.syncAnswer(message.stateVector)
        this.sendAnswer(parts.map((part, i) => (i === parts.length - 1 ? encodeSyncStep2(part) : encodeUpdate(part))))
        return
      }
      case 'update':
        if (!this.canWrite) {
          // Viewers read only: their edits are neither stored nor forwarded.
          this.deps.metrics.droppedViewerUpdates++
          return
        }
        await this.room.applyClientUpdate(message.update, this)
        return
      case 'awareness':
        if (!this.claim(message.clientIds)) {
          this.deps.metrics.droppedAwareness++
          return
        }
        awarenessProtocol.applyAwarenessUpdate(this.room.awareness, message.update, this)
        return
      case 'query-awareness': {
        const states = encodeAwarenessStates(this.room.awareness)
        if (states) this.send(states)
        return
      }
      case 'auth':
        return
    }
  }

  /**
   * A connection speaks only for its own awareness client ids: the first
   * ones it announces (up to a few) that no other connection in the room holds.
   * An id with a live state in the room is held, by a connection here or on
   * another node (whose ownership this node cannot see): a client that
   * reconnects after its node died waits until that state times out (30 s).
   */
  private claim(ids: number[]): boolean {
    const states = this.room.awareness.getStates()
    for (const id of ids) {
      if (this.ownedClientIds?.has(id)) continue
      if ((this.ownedClientIds?.size ?? 0) >= this.deps.limits.maxClientIdsPerConnection) return false
      if (states.has(id)) return false
      for (const peer of this.room.peers) {
        if (peer !== this && peer instanceof Connection && peer.ownedClientIds?.has(id)) return false
      }
      ;(this.ownedClientIds ??= new Set()).add(id)
    }
    return true
  }

  private fail(error: unknown) {
    if (error instanceof DocumentTooLargeError) return this.close(CloseCode.DOCUMENT_TOO_LARGE, 'document too large')
    if (error instanceof UnappliableUpdateError) return this.close(CloseCode.MALFORMED, 'update cannot be applied')
    if (error instanceof AppError) return this.close(CloseCode.MALFORMED, error.message)
    this.deps.logger.error('update could not be stored', { room: this.room.name, error: String(error) })
    this.close(CloseCode.INTERNAL_ERROR, 'could not store update')
  }

  close(code: number, reason: string) {
    if (this.closed) return
    this.closed = true
    this.deps.metrics.closed(code)
    this.ws.close(code, reason)
    this.detach()
  }

  /** Leaves the room: drops this connection's awareness states. */
  detach() {
    if (this.pingTimer) clearTimeout(this.pingTimer)
    this.closed = true
    this.room.peers.delete(this)
    if (this.ownedClientIds?.size) {
      awarenessProtocol.removeAwarenessStates(this.room.awareness, [...this.ownedClientIds], null)
    }
    // Detached twice (closed by us, then the socket's close event): the ids may be another connection's by then.
    this.ownedClientIds = null
  }
}
