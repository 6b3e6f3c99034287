import { z } from 'zod'
import { clientState, type ClientState } from '../../../shared/doc'
import { ApiError, api } from '../api'

/** A request for an answer, kept on the device until the server has taken it. */
export interface QueuedGeneration {
  readonly room: string
  readonly chatId: string
  /** The person's message to answer. */
  readonly messageId: string
  /** Chosen here and sent as the idempotency key, so a request sent twice is answered once. */
  readonly generationId: string
  /** The asker's edits of the room up to the question, which the server waits for (see generateInput). */
  readonly after?: ClientState
  readonly queuedAt: number
}

const queuedGeneration = z.object({
  room: z.string(),
  chatId: z.string(),
  messageId: z.string(),
  generationId: z.string(),
  after: clientState.optional(),
  queuedAt: z.number(),
})

/** Sends one request; rejects with `ApiError` for an answer, anything else for "could not reach the server". */
export type SendGeneration = (workspaceId: string, generation: QueuedGeneration) => Promise<void>

export const sendGeneration: SendGeneration = async (workspaceId, g) => {
  await api(`/api/workspaces/${workspaceId}/generate`, {
    room: g.room,
    chatId: g.chatId,
    messageId: g.messageId,
    generationId: g.generationId,
    ...(g.after ? { after: g.after } : {}),
  })
}

/**
 * How many times a request is tried again when the server does not hold the
 * question yet (NOT_SYNCED, or 404 for a chat made offline): right after a
 * reconnect, what was written offline may still be on its way over the
 * websocket while the request arrives over HTTP. Also for rate limits.
 */
const RETRIES = 6
const RETRY_BASE_MS = 400
/** How often a queue that could not reach the server tries again while the workspace is open. */
const UNREACHABLE_RETRY_MS = 5000

/** The storage key of a workspace's queue; the `workspaces:<userId>:` prefix is cleared on sign-out. */
export const queueKey = (userId: string, workspaceId: string) => `workspaces:${userId}:generations:${workspaceId}`

/**
 * The workspace's answers asked for but not yet taken by the server, kept in
 * localStorage so they survive a reload while offline. A request is sent at
 * once when it can be and again whenever the workspace comes back online;
 * it leaves the queue when the server accepts it or refuses it for good
 * (then `onRefused` tells the person why). A failure to reach the server
 * keeps it: that is what "waiting for the connection" means.
 */
export class GenerationQueue {
  private items: QueuedGeneration[]
  private readonly listeners = new Set<() => void>()
  private flushing: Promise<void> | null = null
  private again = false
  private retryTimer: ReturnType<typeof setTimeout> | null = null
  private destroyed = false

  constructor(
    private readonly workspaceId: string,
    private readonly userId: string,
    private readonly onRefused: (generation: QueuedGeneration, error: ApiError) => void,
    private readonly send: SendGeneration = sendGeneration,
    private readonly storage: Storage | null = typeof localStorage === 'undefined' ? null : localStorage,
  ) {
    this.items = this.load()
  }

  /** The waiting requests, oldest first; the same array until the queue changes. */
  getPending = (): readonly QueuedGeneration[] => this.items

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Keeps the request and tries to send everything waiting. */
  enqueue(generation: Omit<QueuedGeneration, 'queuedAt'>): Promise<void> {
    this.set([...this.items, { ...generation, queuedAt: Date.now() }])
    return this.flush()
  }

  /**
   * Sends what waits, oldest first, one at a time (answers to one chat in
   * the order asked). Stops at the first request that cannot reach the
   * server: the rest would fail alike. A flush asked for while one runs
   * runs again after it, so nothing enqueued meanwhile is left behind.
   */
  flush(): Promise<void> {
    if (this.flushing) {
      this.again = true
      return this.flushing
    }
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.retryTimer = null
    this.flushing = this.drain().finally(() => {
      this.flushing = null
      if (this.destroyed) return
      if (this.again) {
        this.again = false
        void this.flush()
      } else if (this.items.length > 0) {
        // The server could not be reached (or failed); coming back online flushes too, sooner.
        this.retryTimer = setTimeout(() => void this.flush(), UNREACHABLE_RETRY_MS)
      }
    })
    return this.flushing
  }

  /**
   * Drops the requests for a room that can take no question any more (a
   * full chat): they would wait for edits the server refused, and hold up
   * the requests behind them. The one being sent stops at its next try.
   */
  discardRoom(room: string) {
    if (!this.items.some((g) => g.room === room)) return
    this.set(this.items.filter((g) => g.room !== room))
  }

  destroy() {
    this.destroyed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    this.listeners.clear()
  }

  private async drain() {
    while (!this.destroyed && this.items.length > 0) {
      const next = this.items[0]
      const outcome = await this.sendOne(next)
      if (outcome === 'unreachable') return
      this.set(this.items.filter((g) => g.generationId !== next.generationId))
    }
  }

  private async sendOne(generation: QueuedGeneration): Promise<'sent' | 'refused' | 'unreachable'> {
    for (let attempt = 0; ; attempt++) {
      if (this.destroyed) return 'unreachable'
      if (!this.items.some((g) => g.generationId === generation.generationId)) return 'refused'
      try {
        await this.send(this.workspaceId, generation)
        return 'sent'
      } catch (error) {
        if (!(error instanceof ApiError)) return 'unreachable'
        const retry = (error.code === 'NOT_SYNCED' || error.status === 404 || error.status === 429) && attempt < RETRIES
        if (retry) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * (attempt + 1)))
          continue
        }
        // 5xx may pass: keep the request for the next time the workspace comes online.
        if (error.status >= 500) return 'unreachable'
        if (!this.destroyed) this.onRefused(generation, error)
        return 'refused'
      }
    }
  }

  private set(items: QueuedGeneration[]) {
    this.items = items
    try {
      const key = queueKey(this.userId, this.workspaceId)
      if (items.length === 0) this.storage?.removeItem(key)
      else this.storage?.setItem(key, JSON.stringify(items))
    } catch {
      // A full or blocked storage keeps the queue in memory only; it still works until reload.
    }
    this.listeners.forEach((l) => l())
  }

  private load(): QueuedGeneration[] {
    try {
      const raw = this.storage?.getItem(queueKey(this.userId, this.workspaceId))
      if (!raw) return []
      const parsed = z.array(queuedGeneration).safeParse(JSON.parse(raw))
      return parsed.success ? parsed.data : []
    } catch {
      return []
    }
  }
}
