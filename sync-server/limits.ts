/** Limits that keep one client from hurting the room or the node. */
export interface SyncLimits {
  /** Largest websocket message, bytes; bigger ones close with 1009. */
  maxMessageBytes: number
  /** Largest document, bytes (stored state plus accepted updates). */
  maxDocumentBytes: number
  /** Messages per second per connection (token bucket refill) and burst size. */
  messagesPerSecond: number
  messageBurst: number
  /** Outgoing bytes buffered for one connection before it is closed as a slow consumer. */
  maxBufferedBytes: number
  /** Awareness client ids one connection may own (tabs share a connection only in tests). */
  maxClientIdsPerConnection: number
  /** Keepalive ping interval, ms (each connection jittered around it). */
  pingIntervalMs: number
  /** Log rows after which a room is compacted into its snapshot. */
  compactEvery: number
  /**
   * Log rows from which a room released for being idle is compacted first.
   * A shorter log stays: compacting decodes and encodes the whole room on the
   * node's event loop (about a second for a 15 MB room, every room on the
   * node waiting), and a snapshot plus a short log loads as fast. Shutdown
   * compacts whatever is left.
   */
  compactIdleFrom: number
  /** How long an empty room stays in memory, ms. */
  idleRoomMs: number
  /** An answer still streaming this long after it started is abandoned (its writer died), ms. */
  abandonedAnswerMs: number
}

export const DEFAULT_LIMITS: SyncLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  maxDocumentBytes: 32 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 400,
  maxBufferedBytes: 4 * 1024 * 1024,
  maxClientIdsPerConnection: 4,
  pingIntervalMs: 30_000,
  compactEvery: 500,
  compactIdleFrom: 50,
  // Above the longest model call (AI_TIMEOUT_MS, 2 minutes by default) with room to spare.
  abandonedAnswerMs: 5 * 60_000,
  idleRoomMs: 10_000,
}

/** A token bucket: `take()` is false once the connection exceeds its rate. */
export class TokenBucket {
  private tokens: number
  private last = Date.now()

  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst
  }

  take(): boolean {
    const now = Date.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate)
    this.last = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
