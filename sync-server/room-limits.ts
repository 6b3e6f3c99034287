import { isChatRoom, parseRoomName } from '../shared/rooms'
import type { SyncLimits } from './limits'

/**
 * Limits of rooms by kind (decision 021): a chat room has a size limit of
 * its own, so a full chat closes writes to that chat only, and the pace at
 * which a chat's activity reaches its index entry.
 */
export interface ChatRoomLimits {
  /**
   * Largest chat room, bytes. 8 MB: about 10,000 messages of the 775 bytes
   * a message averages, far beyond a conversation anyone reads back, while
   * a chat room stays a quarter of what an index room may reach
   * (`maxDocumentBytes`), so opening, syncing and compacting one chat stays
   * cheap; and it still holds the longest message (`MAX_CONTENT_LENGTH`,
   * 200,000 characters) forty times over.
   */
  maxChatRoomBytes: number
  /** At most one index write per chat per this many ms while a chat changes (an answer streaming), ms. */
  chatActivityIntervalMs: number
  /**
   * After an update of a chat room arrived from another node, how long this
   * node waits before checking the index says what the room holds: the node
   * that stored the update writes the index first, so usually nothing is left to write, ms.
   */
  chatActivityReconcileMs: number
}

export const DEFAULT_CHAT_ROOM_LIMITS: ChatRoomLimits = {
  maxChatRoomBytes: 8 * 1024 * 1024,
  chatActivityIntervalMs: 250,
  chatActivityReconcileMs: 1000,
}

/** Everything the sync server is limited by. */
export type ServerLimits = SyncLimits & ChatRoomLimits

/** The size limit of the room `name`: a chat room's own, or the document limit. */
export function maxRoomBytes(limits: ServerLimits, name: string): number {
  const room = parseRoomName(name)
  return room && isChatRoom(room) ? limits.maxChatRoomBytes : limits.maxDocumentBytes
}
