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
 * index rooms (megabytes in a workspace of thousands of chats). Null when
 * neither lists it; the access check refuses (NOT_FOUND) a workspace the
 * person does not belong to, as for the rooms themselves.
 */
export async function locateChat(
  db: Db,
  sync: Pick<SyncServer, 'openRoom'>,
  userId: string,
  workspaceId: string,
  chatId: string,
): Promise<ChatLocated | null> {
  const indexes = [
    ['shared', sharedRoom(workspaceId)],
    ['private', privateRoom(workspaceId, userId)],
  ] as const
  for (const [index, name] of indexes) {
    // The chat's room, not only its index: what the page will open is what is checked.
    await authorizeRoom(db, userId, chatRoomOf(name, chatId))
    const hold = await sync.openRoom(name, workspaceId)
    try {
      const summary = getChatSummary(hold.room.doc, chatId)
      if (summary) return { index, summary }
    } finally {
      hold.release()
    }
  }
  return null
}
