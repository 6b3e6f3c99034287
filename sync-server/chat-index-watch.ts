import { observeChatIndexChanges } from '../shared/doc'
import { chatRoomOf } from '../shared/rooms'
import { deleteRoomStorage } from '../db/room-storage'
import { isClientOrigin, REMOTE_ORIGIN, type Room } from './room'
import type { RoomHost } from './room-host'

/**
 * Watches an index room's chat index for what the server does when people
 * change it (decision 021):
 * - a chat a client removed (`deleteChat`): its room's connections are
 *   closed and its storage deleted. Removed on another node: that node
 *   deletes the storage; this one closes its own connections to the room.
 *   Removed by the server (a move): the move deletes the room itself.
 * - a chat a client listed: `listed` is called with the chat's room name,
 *   so a chat whose room was written before it was listed (created offline)
 *   gets its activity recorded.
 */
export function watchChatIndex(index: Room, host: RoomHost, listed: (chatRoom: string) => void): void {
  observeChatIndexChanges(index.doc, ({ added, removed }, origin) => {
    const byClient = isClientOrigin(origin)
    for (const chatId of removed) {
      const name = chatRoomOf(index.name, chatId)
      if (byClient) host.track(deleteChatRoom(host, name))
      else if (origin === REMOTE_ORIGIN) host.track(host.dropRoom(name, 'chat deleted'))
    }
    if (byClient) for (const chatId of added) listed(chatRoomOf(index.name, chatId))
  })
}

/** Closes a deleted chat's room on this node and deletes its storage. */
export async function deleteChatRoom(host: RoomHost, name: string): Promise<void> {
  try {
    await host.dropRoom(name, 'chat deleted')
    await deleteRoomStorage(host.db, name)
  } catch (error) {
    host.logger.error('a deleted chat’s room could not be deleted', { room: name, error: String(error) })
  }
}
