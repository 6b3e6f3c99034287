import { AppError, notFound } from '../../shared/errors'
import { RoomFullError } from '../../sync-server'
import { chatRoomOf, formatRoomName, indexRoomOf, isChatRoom, parseRoomName } from '../../shared/rooms'

/** Where a chat lives (decision 021): the index room that lists it and its own room with the messages. */
export interface ChatRooms {
  readonly workspaceId: string
  readonly chatId: string
  /** `w/<ws>` or `w/<ws>/u/<user>`. */
  readonly index: string
  /** `w/<ws>/c/<chat>` or `w/<ws>/u/<user>/c/<chat>`. */
  readonly chat: string
}

/**
 * The rooms of chat `chatId`, from the room a request names: the chat's own
 * room, or (clients before decision 021) the index room that lists it.
 * Throws NOT_FOUND for a malformed name, a chat room of another chat, or a
 * room of another workspace than `workspaceId`, the refusal a room one may
 * not see gets, so a request cannot probe which exist.
 */
export function chatRoomsOf(room: string, chatId: string, workspaceId: string): ChatRooms {
  const parsed = parseRoomName(room)
  if (!parsed || parsed.workspaceId !== workspaceId) throw notFound('Chat')
  if (isChatRoom(parsed)) {
    if (parsed.chatId !== chatId) throw notFound('Chat')
    return { workspaceId, chatId, index: formatRoomName(indexRoomOf(parsed)), chat: room }
  }
  const chat = chatRoomOf(room, chatId)
  if (!parseRoomName(chat)) throw notFound('Chat')
  return { workspaceId, chatId, index: room, chat }
}

/** Whether a room refused a server change because it is full (its size limit reached). */
export function isRoomFull(error: unknown): boolean {
  return error instanceof RoomFullError || (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE')
}
