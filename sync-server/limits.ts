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

/**
 * How long the event loop was stalled, in total, since the process started:
 * a 10 ms ticker adds up every gap beyond its period. A gap still under way
 * (the ticker has not run since) counts too, so a reading taken right after
 * a stall, before any timer ran, already includes it.
 */
export class StallClock {
  private stalled = 0
  private lastTick = performance.now()
  private readonly timer: NodeJS.Timeout

  constructor(private readonly periodMs = 10) {
    this.timer = setInterval(() => {
      const now = performance.now()
      this.stalled += Math.max(0, now - this.lastTick - this.periodMs)
      this.lastTick = now
    }, periodMs)
    this.timer.unref()
  }

  /** Total stalled time, ms. */
  stalledMs(): number {
    return this.stalled + Math.max(0, performance.now() - this.lastTick - this.periodMs)
  }

  dispose() {
    clearInterval(this.timer)
  }
}

/**
 * A token bucket: `take()` is false once the connection exceeds its rate.
 * Time the server spent stalled is not charged to the client: what it sent
 * meanwhile waited in the socket and arrives all at once when the loop runs
 * again, so the refill earned during the stall may exceed the burst (and is
 * kept while those queued messages drain).
 */
export class TokenBucket {
  private tokens: number
  private last: number
  private lastStalled: number

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly stalls: { stalledMs(): number } = { stalledMs: () => 0 },
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst
    this.last = now()
    this.lastStalled = stalls.stalledMs()
  }

  take(): boolean {
    const now = this.now()
    const stalled = this.stalls.stalledMs()
    const refill = ((now - this.last) / 1000) * this.rate
    const cap = this.burst + ((stalled - this.lastStalled) / 1000) * this.rate
    // Never lowers tokens already above the burst (credit from a stall).
    this.tokens = Math.min(Math.max(this.tokens, cap), this.tokens + refill)
    this.last = now
    this.lastStalled = stalled
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}
