import { getChatSummary, type ChatSummary } from '../../shared/doc'
import { chatRoomOf, privateRoom, sharedRoom } from '../../shared/rooms'
import { authorizeRoom } from '../../db/access'
import type { Db } from '../../db/client'
import type { SyncServer } from '../../sync-server'

/** Which of the person's index rooms lists a chat, and its entry there. */
export interface ChatLocated {
  readonly index: 'shared' | 'private'
  readonly summary: ChatSummary
}

/**
 * Where chat `chatId` is for `userId`: the workspace's shared index first,
 * then the person's private one. A server-rendered chat page carries it, so
 * the browser opens the chat's room at once instead of after decoding the
 * index rooms (megabytes in a workspace of thousands of chats). Only index
 * rooms this node holds loaded are read: a page render never loads, holds
 * or converts a room (the page's own connection does that a moment later).
 * Null when neither lists it or neither is loaded here; the access check
 * refuses (NOT_FOUND) a workspace the person does not belong to, as for the
 * rooms themselves.
 */
export async function locateChat(
  db: Db,
  sync: Pick<SyncServer, 'rooms'>,
  userId: string,
  workspaceId: string,
  chatId: string,
): Promise<ChatLocated | null> {
  // Once: the rules for the shared chat's room and for the person's own private chat's room are the same
  // (a member who may read), and a malformed chat id is refused here.
  await authorizeRoom(db, userId, chatRoomOf(sharedRoom(workspaceId), chatId))
  const indexes = [
    ['shared', sharedRoom(workspaceId)],
    ['private', privateRoom(workspaceId, userId)],
  ] as const
  for (const [index, name] of indexes) {
    const room = sync.rooms.get(name)
    if (!room?.isLoaded || room.deleted) continue
    const summary = getChatSummary(room.doc, chatId)
    if (summary) return { index, summary }
  }
  return null
}
