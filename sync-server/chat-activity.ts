import { chatActivity, recordChatActivity, serverOrigin } from '../shared/doc'
import { formatRoomName, indexRoomOf, isChatRoom, parseRoomName } from '../shared/rooms'
import { RoomFullError, RoomGoneError, type Room, type StoredChangeKind } from './room'
import type { RoomHold, RoomHost } from './room-host'

const ACTIVITY_ORIGIN = serverOrigin('chat-activity')

interface Pending {
  readonly chatId: string
  readonly indexRoom: string
  readonly room: Room
  /** Holds the chat room while a write is due, so it is not released before its last activity is written. */
  readonly release: () => void
  index: RoomHold | null
  lastWrite: number
  timer: NodeJS.Timeout | null
  dueAt: number
  writing: Promise<void> | null
  /** A write fell due while one was in flight: another follows it at once. */
  again: boolean
}

/**
 * Keeps each chat's index entry in step with its room (decision 021): after
 * an update of a chat room is stored on this node (a client's or the
 * server's, an AI answer), the chat's activity is written into its index
 * room as a server change (stored before it is broadcast). While a chat
 * changes fast (an answer streaming) the writes are paced: the first at
 * once, then at most one per `chatActivityIntervalMs`, and the last always
 * after the last change. An update stored by another node is that node's
 * to write; this node checks a little later that the index says what the
 * room holds, so the value converges whichever node wrote last.
 */
export class ChatActivityWriter {
  private readonly pending = new Map<string, Pending>()

  constructor(private readonly host: RoomHost) {}

  /** Watches a chat room's stored updates. */
  watch(room: Room): void {
    const parsed = parseRoomName(room.name)
    if (!parsed || !isChatRoom(parsed)) return
    const indexRoom = formatRoomName(indexRoomOf(parsed))
    room.onStored((kind) => this.changed(room, parsed.chatId, indexRoom, kind))
  }

  private changed(room: Room, chatId: string, indexRoom: string, kind: StoredChangeKind) {
    if (room.deleted) return
    const limits = this.host.limits
    let state = this.pending.get(room.name)
    if (!state) {
      state = {
        chatId,
        indexRoom,
        room,
        release: this.host.hold(room),
        index: null,
        lastWrite: 0,
        timer: null,
        dueAt: Infinity,
        writing: null,
        again: false,
      }
      this.pending.set(room.name, state)
    }
    const now = Date.now()
    const dueAt =
      kind === 'remote'
        ? now + limits.chatActivityReconcileMs
        : Math.max(now, state.lastWrite + limits.chatActivityIntervalMs)
    if (state.timer && state.dueAt <= dueAt) return
    if (state.timer) clearTimeout(state.timer)
    state.dueAt = dueAt
    const s = state
    state.timer = setTimeout(() => this.due(s), dueAt - now)
  }

  private due(state: Pending) {
    state.timer = null
    state.dueAt = Infinity
    // The write in flight may have read the room before the latest change.
    if (state.writing) state.again = true
    else this.startWrite(state)
  }

  private startWrite(state: Pending) {
    state.again = false
    state.lastWrite = Date.now()
    const write = this.write(state).finally(() => {
      state.writing = null
      if (state.again) this.startWrite(state)
      else if (!state.timer) this.finish(state)
    })
    state.writing = write
    this.host.track(write)
  }

  /** Writes the chat's activity into its index now, unpaced (a moved chat, a chat listed after its room was written). */
  async writeNow(room: Room): Promise<void> {
    const parsed = parseRoomName(room.name)
    if (!parsed || !isChatRoom(parsed)) return
    const index = await this.host.openRoom(formatRoomName(indexRoomOf(parsed)), room.workspaceId)
    try {
      await this.record(index.room, room, parsed.chatId)
    } finally {
      index.release()
    }
  }

  private async write(state: Pending) {
    state.index ??= await this.host.openRoom(state.indexRoom, state.room.workspaceId).catch((error: unknown) => {
      this.host.logger.warn('index room not opened', { room: state.indexRoom, error: String(error) })
      return null
    })
    if (state.index) await this.record(state.index.room, state.room, state.chatId)
  }

  private async record(index: Room, room: Room, chatId: string) {
    if (room.deleted) return
    try {
      // Read when the index change runs, so it carries the room's latest state.
      await index.applyServerChange(
        (index) => {
          if (room.deleted) return
          const activity = chatActivity(room.doc, chatId)
          if (activity) recordChatActivity(index, chatId, activity, ACTIVITY_ORIGIN)
        },
        // A full index still learns what its chats hold: a few bytes per chat.
        { evenIfFull: true },
      )
    } catch (error) {
      if (error instanceof RoomGoneError || error instanceof RoomFullError) return
      this.host.logger.warn('chat activity not written to the index', {
        room: room.name,
        index: index.name,
        error: String(error),
      })
    }
  }

  private finish(state: Pending) {
    if (this.pending.get(state.room.name) !== state) return
    this.pending.delete(state.room.name)
    state.index?.release()
    state.release()
  }

  /** Stops pacing a chat room (deleted or moved): what was due is not written. */
  forget(roomName: string): void {
    const state = this.pending.get(roomName)
    if (!state) return
    if (state.timer) clearTimeout(state.timer)
    state.timer = null
    state.again = false
    if (!state.writing) this.finish(state)
  }

  /** Whether a write is waiting for its time or in flight. */
  hasPending(): boolean {
    return [...this.pending.values()].some((s) => s.timer || s.writing)
  }

  /** Writes everything due now (shutdown, tests). */
  async flush(): Promise<void> {
    const due = [...this.pending.values()].filter((s) => s.timer)
    for (const s of due) {
      if (s.timer) clearTimeout(s.timer)
      this.due(s)
    }
    await Promise.all([...this.pending.values()].map((s) => s.writing))
  }
}
