import type * as Y from 'yjs'
import { type DocOrigin, LOCAL_ORIGIN } from './origin'

/**
 * A chat's own room (decision 021): the root `messages` array holds its
 * messages, the root `chat` map says which chat the room belongs to. Both
 * are root types, which exist in every replica from the start, so two
 * peers that write into a chat room before they have synced (an offline
 * device and the server) merge their writes instead of one replacing the
 * other's container.
 */
export const CHAT_ROOM_META_KEY = 'chat'
export const CHAT_ROOM_MESSAGES_KEY = 'messages'

/** The room's messages, in conversation order; values are checked by readers. */
export function chatRoomMessages(doc: Y.Doc): Y.Array<unknown> {
  return doc.getArray<unknown>(CHAT_ROOM_MESSAGES_KEY)
}

/** The id of the chat the room belongs to, or null before the room was opened as one. */
export function chatRoomId(doc: Y.Doc): string | null {
  const id = doc.getMap<unknown>(CHAT_ROOM_META_KEY).get('id')
  return typeof id === 'string' ? id : null
}

/** Whether `doc` is the room of this chat. */
export function isChatRoomOf(doc: Y.Doc, chatId: string): boolean {
  return chatRoomId(doc) === chatId
}

/**
 * Marks `doc` as the room of `chatId`, so message writers find the chat
 * there. Idempotent; every peer that writes the same id converges.
 */
export function openChatRoom(doc: Y.Doc, chatId: string, origin: DocOrigin = LOCAL_ORIGIN): void {
  if (isChatRoomOf(doc, chatId)) return
  doc.transact(() => doc.getMap<unknown>(CHAT_ROOM_META_KEY).set('id', chatId), origin)
}
