import { z } from 'zod'
import { authorizeRoom, type RoomAccess } from '../../db/access'
import type { Db } from '../../db/client'
import { moveChat, type SyncServer } from '../../sync-server'
import { can } from '../../shared/capabilities'
import { type ChatSummary, getChatMessages, getChatSummary } from '../../shared/doc'
import { AppError, notFound } from '../../shared/errors'
import { chatRoomOf, privateRoom, sharedRoom } from '../../shared/rooms'
import { parseInput } from '../../shared/validation'

export const moveChatInput = z.strictObject({
  /** Where the chat goes: the workspace's shared chats, or the caller's private ones. */
  to: z.enum(['shared', 'private']),
})
export type MoveChatRequest = z.output<typeof moveChatInput>

export interface MovedChat {
  chat: ChatSummary
  /** The chat's room after the move, for clients to reconnect to. */
  room: string
}

/**
 * Shares one of the caller's private chats with the workspace, or makes a
 * shared chat private to the caller (decision 021): the sync server moves
 * the chat's room and its index entry, and run again after an interruption
 * ends where one uninterrupted move ends. Needs `content:write` in both
 * rooms (the one access check, on each chat room); making a shared chat
 * private takes it from everyone else, so only its creator, or someone who
 * may manage others' content, may. Refused (CONFLICT) while an answer is
 * being written into it. NOT_FOUND for a chat the source does not list (or
 * one the caller may not see), FORBIDDEN for a viewer.
 */
export async function moveChatTo(
  db: Db,
  /** Absent where no sync server runs: refused, after the access check (which answers outsiders first). */
  sync: Pick<SyncServer, 'openRoom' | 'moveChat'> | undefined,
  userId: string,
  workspaceId: string,
  chatId: string,
  input: unknown,
): Promise<MovedChat> {
  const { to } = parseInput(moveChatInput, input)
  const mine = privateRoom(workspaceId, userId)
  const shared = sharedRoom(workspaceId)
  const [fromIndex, toIndex] = to === 'shared' ? [mine, shared] : [shared, mine]
  const access = await authorizeBoth(db, userId, [chatRoomOf(fromIndex, chatId), chatRoomOf(toIndex, chatId)])
  if (!sync) throw new AppError('INTERNAL', 'Chats cannot be moved on this server')
  const fromChat = chatRoomOf(fromIndex, chatId)
  const index = await sync.openRoom(fromIndex, workspaceId)
  const room = await sync.openRoom(fromChat, workspaceId)
  try {
    const summary = getChatSummary(index.room.doc, chatId)
    if (summary) {
      if (to === 'private' && summary.createdBy !== userId && !can(access.role, 'content:manage')) {
        throw new AppError('FORBIDDEN', 'Only who started a shared chat, or an admin, may make it private')
      }
      const writing = getChatMessages(room.room.doc, chatId)?.some(
        (m) => m.status === 'pending' || m.status === 'streaming',
      )
      if (writing) throw new AppError('CONFLICT', 'An answer is being written in this chat: wait for it, or stop it')
    }
  } finally {
    index.release()
    room.release()
  }
  // An entry already gone from the source is a move interrupted after it: running it again finishes it.
  const chat = await moveChat(sync, { workspaceId, chatId, from: fromIndex, to: toIndex })
  return { chat, room: chatRoomOf(toIndex, chatId) }
}

/** The caller's access, which must allow writing in both rooms. */
async function authorizeBoth(db: Db, userId: string, rooms: string[]): Promise<RoomAccess> {
  let access: RoomAccess | null = null
  for (const room of rooms) {
    access = await authorizeRoom(db, userId, room).catch((error: unknown) => {
      throw error instanceof AppError ? notFound('Chat') : error
    })
    if (!access.canWrite) throw new AppError('FORBIDDEN', `Your role (${access.role}) may not move chats`)
  }
  return access!
}
