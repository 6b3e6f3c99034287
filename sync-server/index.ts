/** The sync server's public entry: the app mounts it through these only. */
import type { ChatSummary } from '../shared/doc'
import type { MoveChatInput } from './chat-move'
import type { SyncServer } from './server'

export { getProcessSyncServer } from './node'
export { createSyncServer, SYNC_PATH, type RoomHold, type SyncServer, type SyncServerOptions } from './server'
export { type Room, type ServerChangeOptions, RoomFullError, RoomGoneError } from './room'
export { type ChatRoomLimits, type ServerLimits, DEFAULT_CHAT_ROOM_LIMITS } from './room-limits'
export type { MoveChatInput, MoveChatOptions } from './chat-move'
export { CloseCode } from './close-codes'

/**
 * Moves a chat between two index rooms of a workspace, with its room
 * (`SyncServer.moveChat`): `from` and `to` are index room names
 * (`sharedRoom(ws)`, `privateRoom(ws, user)`). Idempotent: run again after
 * an interruption, it ends where an uninterrupted move ends. Returns the
 * chat's entry in `to`. The caller has authorized the move.
 */
export function moveChat(sync: Pick<SyncServer, 'moveChat'>, input: MoveChatInput): Promise<ChatSummary> {
  return sync.moveChat(input)
}
