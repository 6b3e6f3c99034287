import { copyLegacyChatToRoom, finishLegacyChat, legacyChatIds, LOCAL_ORIGIN } from '../../../shared/doc'
import { chatRoomOf } from '../../../shared/rooms'
import type { ChatRooms } from './chat-rooms'
import type { RoomReplica } from './room-replica'

/**
 * Converts the old-layout chats of an index room's device copy (decision
 * 021) before it reconnects: each chat's messages, the ones written offline
 * and never sent included, are copied into the local copy of the chat's own
 * room, then the chat is listed in the index and its old entry removed. The
 * server converts the same chats from its copy; both copies of a message
 * carry its id and read as one. Without this, an old entry the server has
 * already removed would take the device's unsent messages with it.
 * `unsent` records each converted chat so that its room is synced even if
 * it is never opened.
 */
export async function convertLocalCopy(
  index: RoomReplica,
  chatRooms: ChatRooms,
  unsent: (chatId: string) => Promise<void>,
): Promise<number> {
  const ids = legacyChatIds(index.doc)
  for (const chatId of ids) {
    const handle = chatRooms.acquire(chatRoomOf(index.name, chatId))
    try {
      await handle.room.loaded
      if (handle.room.isDestroyed || index.isDestroyed) return 0
      await unsent(chatId)
      copyLegacyChatToRoom(index.doc, chatId, handle.room.doc, LOCAL_ORIGIN)
      finishLegacyChat(index.doc, chatId, handle.room.doc, LOCAL_ORIGIN)
    } finally {
      handle.release()
    }
  }
  return ids.length
}
