/**
 * The scale bench's workspace, built in Node with the shared/doc mutations
 * in the layout of decision 021 and written straight into storage: each
 * chat's messages in its own room (`openChatRoom`, then `appendMessage`),
 * stored as one compacted snapshot per room, as an old workspace's rooms
 * are after compaction; each chat listed in its index room (`createChat`)
 * with the activity the server would have written from its room
 * (`chatActivity`, `recordChatActivity`). The index documents stay in this
 * process, so the workspace can be grown later by appending what changed.
 */
import * as Y from 'yjs'
import {
  appendMessage,
  chatActivity,
  createChat,
  LOCAL_ORIGIN,
  openChatRoom,
  serverOrigin,
  recordChatActivity,
} from '../../shared/doc'
import { chatRoomOf, privateRoom, sharedRoom } from '../../shared/rooms'
import { appendUpdate } from '../../db/room-storage'
import type { Db } from '../../db/client'
import { roomSnapshot } from '../../db/schema'
import { prose, random } from './seed-text'

export const MESSAGES_PER_CHAT = 20
/** One chat in twenty is the bench member's private chat; the rest are the workspace's shared chats. */
const PRIVATE_EVERY = 20
/** Chat rooms built and inserted together: one multi-row INSERT each. */
const BATCH = 200
const ACTIVITY = serverOrigin('bench-activity')

export interface ScaleChat {
  id: string
  /** Its room's name. */
  room: string
  title: string
  shared: boolean
  /** The start of its last message's text: what a page shows once the chat is open. */
  lastMessageStart: string
  /** Its last message from a person: what an answer streamed in by the bench replies to. */
  lastQuestionId: string
}

/** The workspace as built so far: its two index documents and its chats, oldest first. */
export class ScaleWorkspace {
  readonly shared = new Y.Doc()
  readonly mine = new Y.Doc()
  readonly chats: ScaleChat[] = []
  messages = 0
  /** The index rooms' state as last written to storage (null before the first write). */
  private storedShared: Uint8Array | null = null
  private storedMine: Uint8Array | null = null
  private readonly next: () => number

  constructor(
    readonly workspaceId: string,
    readonly userId: string,
    seed: number,
    /** Chat times run from this long ago up to now, in the order chats are added. */
    private readonly spanMs = 2 * 365 * 24 * 3600_000,
  ) {
    this.next = random(seed)
  }

  get sharedRoom() {
    return sharedRoom(this.workspaceId)
  }

  get privateRoom() {
    return privateRoom(this.workspaceId, this.userId)
  }

  /**
   * Adds `count` chats of MESSAGES_PER_CHAT messages (200 to 800
   * characters, person and model taking turns), storing each chat's room
   * as a snapshot as it goes; the index rooms are written by `storeIndexes`.
   * Chat `i` of `total` is dated so that the last one added is the newest.
   */
  async addChats(db: Db, count: number, total: number) {
    const now = Date.now()
    for (let start = 0; start < count; start += BATCH) {
      const rows: (typeof roomSnapshot.$inferInsert)[] = []
      for (let i = start; i < Math.min(count, start + BATCH); i++) {
        const n = this.chats.length
        const shared = n % PRIVATE_EVERY !== PRIVATE_EVERY - 1
        const index = shared ? this.shared : this.mine
        const indexRoom = shared ? this.sharedRoom : this.privateRoom
        const createdAt = Math.round(now - this.spanMs + ((n + 1) / total) * this.spanMs) - MESSAGES_PER_CHAT * 60_000
        const title = `${String(n).padStart(5, '0')} ${prose(this.next, 20 + Math.floor(this.next() * 40))}`
        const summary = createChat(index, { title, createdBy: this.userId, createdAt }, LOCAL_ORIGIN)
        const room = new Y.Doc()
        openChatRoom(room, summary.id, LOCAL_ORIGIN)
        let last = ''
        let lastQuestionId = ''
        for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
          last = prose(this.next, 200 + Math.floor(this.next() * 601))
          const message = appendMessage(
            room,
            summary.id,
            {
              role: m % 2 === 0 ? 'user' : 'assistant',
              authorId: this.userId,
              content: last,
              createdAt: createdAt + m * 60_000,
              status: 'done',
              ...(m % 2 === 1 ? { model: 'openai:gpt-4o-mini' } : {}),
            },
            LOCAL_ORIGIN,
          )
          if (message.role === 'user') lastQuestionId = message.id
        }
        recordChatActivity(index, summary.id, chatActivity(room, summary.id)!, ACTIVITY)
        const roomName = chatRoomOf(indexRoom, summary.id)
        rows.push({ room: roomName, workspaceId: this.workspaceId, state: Y.encodeStateAsUpdate(room), upToId: 0 })
        room.destroy()
        this.chats.push({
          id: summary.id,
          room: roomName,
          title,
          shared,
          lastMessageStart: last.slice(0, 60),
          lastQuestionId,
        })
        this.messages += MESSAGES_PER_CHAT
      }
      await db.insert(roomSnapshot).values(rows)
    }
  }

  /**
   * Writes what the index rooms gained since the last call: the first time
   * as their snapshots, later as one logged update each (what a server
   * that had been writing them would hold before compacting).
   */
  async storeIndexes(db: Db) {
    for (const [doc, room, stored] of [
      [this.shared, this.sharedRoom, this.storedShared],
      [this.mine, this.privateRoom, this.storedMine],
    ] as const) {
      if (stored === null) {
        const state = Y.encodeStateAsUpdate(doc)
        await db.insert(roomSnapshot).values({ room, workspaceId: this.workspaceId, state, upToId: 0 })
      } else {
        await appendUpdate(
          db,
          room,
          this.workspaceId,
          Y.encodeStateAsUpdate(doc, Y.encodeStateVectorFromUpdate(stored)),
        )
      }
    }
    this.storedShared = Y.encodeStateAsUpdate(this.shared)
    this.storedMine = Y.encodeStateAsUpdate(this.mine)
  }

  /** The bytes of an index room's whole state. */
  indexBytes(which: 'shared' | 'mine'): number {
    return Y.encodeStateAsUpdate(which === 'shared' ? this.shared : this.mine).byteLength
  }

  destroy() {
    this.shared.destroy()
    this.mine.destroy()
  }
}
