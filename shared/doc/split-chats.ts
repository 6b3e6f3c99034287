import * as Y from 'yjs'
import {
  chatActivity,
  chatIndexRoot,
  findIndexEntry,
  indexFieldsOfLegacyChat,
  recordChatActivity,
  writeIndexEntry,
} from './chat-index'
import { chatRoomMessages, openChatRoom } from './chat-room'
import { chatsRoot, readChatEntry } from './chat-store'
import type { DocOrigin } from './origin'

/**
 * Converting an index room from the layout before decision 021 (every chat
 * with its messages in the room's `chats` root) to chats in rooms of their
 * own, one chat at a time, in two steps that can each be run again:
 *
 * 1. `copyLegacyChatToRoom`: the messages the chat's room lacks (by id) are
 *    copied into it. Run again, it copies nothing.
 * 2. `finishLegacyChat`: the chat's index entry is written from its old
 *    entry and its room's activity, and the messages now in the room are
 *    deleted from the old entry, in one transaction of the index room.
 *
 * Stopped between the two (a crash), the chat is still listed in the old
 * layout and its room holds a copy; the next run copies nothing again and
 * finishes. No message is lost or doubled.
 *
 * The old entry itself stays, emptied, as a shell: a device that still
 * holds the old layout (a tab of the previous build, an IndexedDB copy with
 * edits it never sent) appends its new messages to that entry's array,
 * which is still alive, so they arrive and are converted in turn. Deleting
 * the entry would make Yjs drop every such write, since items inserted into
 * a deleted parent are deleted on arrival.
 */

/** Ids of the chats the index room holds in the old layout and that still need converting. */
export function legacyChatIds(index: Y.Doc): string[] {
  const ids: string[] = []
  const listed = chatIndexRoot(index)
  chatsRoot(index).forEach((raw, key) => {
    const chat = readChatEntry(key, raw)
    if (chat && (!listed.has(key) || chat.value.messages.length > 0)) ids.push(key)
  })
  return ids
}

/** Step 1: copies the old-layout chat's messages the room lacks into `room`; returns how many. */
export function copyLegacyChatToRoom(index: Y.Doc, chatId: string, room: Y.Doc, origin: DocOrigin): number {
  const chat = readChatEntry(chatId, chatsRoot(index).get(chatId))
  if (!chat) return 0
  const present = messageIds(chatRoomMessages(room))
  const missing: Y.Map<unknown>[] = []
  chat.value.messages.forEach((raw) => {
    if (!(raw instanceof Y.Map)) return
    const id = raw.get('id')
    if (typeof id !== 'string' || present.has(id)) return
    present.add(id)
    // A deep copy: a Y type belongs to one doc. Fields this version does not know travel too.
    missing.push(raw.clone())
  })
  room.transact(() => {
    openChatRoom(room, chatId, origin)
    if (missing.length) chatRoomMessages(room).push(missing)
  }, origin)
  return missing.length
}

/**
 * Step 2: lists the chat in the index with its metadata and the activity of
 * `room` (its room, after step 1), and deletes from the old entry the
 * messages `room` holds. A message that reached the old entry after step 1
 * stays for the next run. Does nothing for a chat not in the old layout.
 */
export function finishLegacyChat(index: Y.Doc, chatId: string, room: Y.Doc, origin: DocOrigin): void {
  const chat = readChatEntry(chatId, chatsRoot(index).get(chatId))
  if (!chat) return
  const activity = chatActivity(room, chatId) ?? { messageCount: 0 }
  const copied = messageIds(chatRoomMessages(room))
  index.transact(() => {
    if (chatIndexRoot(index).has(chatId)) {
      // Listed already (an earlier run, or a rename by a newer client): only the activity is the room's.
      recordChatActivity(index, chatId, activity, origin)
    } else {
      // Read as an entry, the old one carries the edits newer clients made to it.
      const fields = findIndexEntry(index, chatId)?.value ?? indexFieldsOfLegacyChat(chat.value)
      writeIndexEntry(index, {
        ...fields,
        ...activity,
        updatedAt: Math.max(chat.value.updatedAt, activity.updatedAt ?? 0),
      })
    }
    const messages = chat.value.messages
    // Backwards, so each index stays right while deleting.
    for (let i = messages.length - 1; i >= 0; i--) {
      const raw = messages.get(i)
      const id = raw instanceof Y.Map ? raw.get('id') : undefined
      if (typeof id === 'string' && copied.has(id)) messages.delete(i, 1)
    }
  }, origin)
}

function messageIds(messages: Y.Array<unknown>): Set<string> {
  const ids = new Set<string>()
  messages.forEach((raw) => {
    const id = raw instanceof Y.Map ? raw.get('id') : undefined
    if (typeof id === 'string') ids.add(id)
  })
  return ids
}
