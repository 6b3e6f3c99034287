import { setImmediate as nextTurn } from 'node:timers/promises'
import type * as Y from 'yjs'
import { copyLegacyChatToRoom, finishLegacyChat, getChatMessages, legacyChatIds, serverOrigin } from '../shared/doc'
import { chatRoomOf } from '../shared/rooms'
import { withConversionLock } from '../db/conversion-lock'
import { loadRoom } from '../db/room-storage'
import type { Room } from './room'
import type { RoomHost } from './room-host'

const CONVERT_ORIGIN = serverOrigin('convert-legacy-chats')

/** How long a node waits before trying again a room another node is converting, ms. */
const RETRY_MS = 2000

/**
 * Converts index rooms still holding chats in the layout before decision
 * 021 (`chats`, messages beside each chat) to chats in rooms of their own,
 * chat by chat (split-chats.ts): the messages are copied into the chat's
 * room, stored, then the index room lists the chat and drops its old entry,
 * stored. Runs when an index room opens and again whenever an old-layout
 * chat appears in it later (a tab of the previous build creating one).
 *
 * One node converts a room at a time: the room's conversion lock (a
 * PostgreSQL advisory lock, db/conversion-lock.ts); a node that finds it
 * taken tries again later, so a node that died converting is taken over.
 * Each chat is a turn of its own (the event loop runs between chats).
 * Killed anywhere, the next run ends in the state a clean run reaches: a
 * chat's copy is by message id, and its old entry goes only after the copy
 * is stored.
 */
export class LegacyChatConverter {
  private readonly running = new Map<string, Promise<void>>()
  /** Rooms with old-layout chats that arrived while their conversion ran. */
  private readonly again = new Set<string>()
  private readonly retries = new Map<string, NodeJS.Timeout>()

  constructor(private readonly host: RoomHost) {}

  /** Converts the index room when it opens, and whenever an old-layout chat shows up in it. */
  watch(room: Room): void {
    room.ready.then(
      () => this.check(room),
      () => {},
    )
    room.onStored(() => this.check(room))
  }

  private check(room: Room) {
    if (room.deleted || this.retries.has(room.name)) return
    if (legacyChatIds(room.doc).length) void this.convert(room)
  }

  /** Converts every old-layout chat of the room; resolves when none is left, or another node converts them. */
  convert(room: Room): Promise<void> {
    const current = this.running.get(room.name)
    if (current) {
      this.again.add(room.name)
      return current
    }
    const run = this.run(room).finally(() => this.running.delete(room.name))
    this.running.set(room.name, run)
    this.host.track(run)
    return run
  }

  private async run(room: Room) {
    const hold = this.host.hold(room)
    try {
      const result = await withConversionLock(this.host.db, room.name, async () => {
        // What another node converted before we got the lock may not have reached us yet: caught up from storage.
        await room.applyStored((await loadRoom(this.host.db, room.name)).updates)
        // Rounds until no old-layout chat is left; bounded, so a chat that cannot be finished cannot spin.
        for (let round = 0; round < 10 && !room.deleted; round++) {
          this.again.delete(room.name)
          const ids = legacyChatIds(room.doc)
          if (!ids.length) break
          for (const chatId of ids) {
            if (room.deleted) return
            await this.convertChat(room, chatId)
            // One chat per turn: conversion never holds the event loop for long.
            await nextTurn()
          }
        }
      })
      if (!result.locked) this.retryLater(room)
    } catch (error) {
      this.host.logger.warn('old-layout chats not converted', { room: room.name, error: String(error) })
      this.retryLater(room)
    } finally {
      hold()
    }
  }

  private retryLater(room: Room) {
    if (this.retries.has(room.name)) return
    const release = this.host.hold(room)
    const timer = setTimeout(() => {
      this.retries.delete(room.name)
      release()
      this.check(room)
    }, RETRY_MS)
    timer.unref()
    this.retries.set(room.name, timer)
  }

  private async convertChat(index: Room, chatId: string) {
    const hold = await this.host.openRoom(chatRoomOf(index.name, chatId), index.workspaceId)
    try {
      const chatRoom = hold.room
      for (let attempt = 1; ; attempt++) {
        // Step 1, stored in the chat room. Past the room's size limit too: a conversion drops nothing.
        await chatRoom.applyServerChange((doc) => copyLegacyChatToRoom(index.doc, chatId, doc, CONVERT_ORIGIN), {
          evenIfFull: true,
        })
        // Step 2, stored in the index room, only if nothing came in the old layout since step 1 (a
        // message appended by a tab of the previous build meanwhile); otherwise step 1 copies it first.
        // A third attempt finishes regardless: a chat written to without pause would never be.
        const finished = await index.applyServerChange(
          (doc) => {
            if (attempt < 3 && !holdsEveryMessage(chatRoom.doc, doc, chatId)) return false
            finishLegacyChat(doc, chatId, chatRoom.doc, CONVERT_ORIGIN)
            return true
          },
          { evenIfFull: true },
        )
        if (finished) break
      }
      this.host.logger.info('converted an old-layout chat', { room: index.name, chatId })
    } finally {
      hold.release()
    }
  }

  /** Waits for every conversion under way (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all(this.running.values())
  }

  close(): void {
    for (const timer of this.retries.values()) clearTimeout(timer)
    this.retries.clear()
  }
}

/** Whether the chat room holds every message the old-layout chat in `index` holds. */
function holdsEveryMessage(chatRoom: Y.Doc, index: Y.Doc, chatId: string): boolean {
  const inRoom = new Set((getChatMessages(chatRoom, chatId) ?? []).map((m) => m.id))
  return (getChatMessages(index, chatId) ?? []).every((m) => inRoom.has(m.id))
}
