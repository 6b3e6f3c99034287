import { AppError } from '../shared/errors'
import { type ChatSummary, deleteChat, getChatSummary, legacyChatIds, serverOrigin } from '../shared/doc'
import { writeIndexEntry } from '../shared/doc/chat-index'
import { chatRoomOf, parseRoomName } from '../shared/rooms'
import { copyRoomStorage } from '../db/room-storage'
import type { RoomHost } from './room-host'

const MOVE_ORIGIN = serverOrigin('move-chat')

/** A chat to move between two index rooms of one workspace (its private room and the shared one). */
export interface MoveChatInput {
  workspaceId: string
  chatId: string
  /** Index room the chat is listed in now: `w/<ws>` or `w/<ws>/u/<user>`. */
  from: string
  /** Index room to list it in. */
  to: string
}

/** What the steps of a move need besides the rooms. */
export interface MoveContext {
  host: RoomHost
  /** Converts the index room's old-layout chats (a chat is moved in the new layout only). */
  convert(index: string, workspaceId: string): Promise<void>
  /** Has the chat's activity written into its index entry. */
  touchActivity(chatRoom: string, workspaceId: string): Promise<void>
}

/** Options of a move. */
export interface MoveChatOptions {
  /** Runs only the first steps (1 to 3) of the four, as a move interrupted there: for tests. */
  stopAfterStep?: 1 | 2 | 3
}

interface Move extends MoveChatInput {
  fromChat: string
  toChat: string
}

function checkMove(input: MoveChatInput): Move {
  const from = parseRoomName(input.from)
  const to = parseRoomName(input.to)
  const isIndexOf = (room: typeof from) =>
    (room?.kind === 'shared' || room?.kind === 'private') && room.workspaceId === input.workspaceId
  if (!isIndexOf(from) || !isIndexOf(to) || input.from === input.to) {
    throw new AppError('BAD_REQUEST', 'A chat moves between two index rooms of its workspace')
  }
  const fromChat = chatRoomOf(input.from, input.chatId)
  if (!parseRoomName(fromChat)) throw new AppError('BAD_REQUEST', 'Malformed chat id')
  return { ...input, fromChat, toChat: chatRoomOf(input.to, input.chatId) }
}

/**
 * Step 1: the source chat room's stored updates are copied into the target
 * chat room's log (the same bytes; what the target already holds is not
 * copied again), and a target room open on this node takes them in.
 */
export async function copyChatRoom(ctx: MoveContext, input: MoveChatInput): Promise<void> {
  const move = checkMove(input)
  const added = await copyRoomStorage(ctx.host.db, move.fromChat, move.toChat, move.workspaceId)
  await ctx.host.openedRoom(move.toChat)?.applyStored(added)
}

/** Step 2: the target index lists the chat, with the source entry's metadata and activity (unless it does already). */
export async function listInTarget(ctx: MoveContext, input: MoveChatInput): Promise<void> {
  const move = checkMove(input)
  const [source, target] = await Promise.all([
    ctx.host.openRoom(move.from, move.workspaceId),
    ctx.host.openRoom(move.to, move.workspaceId),
  ])
  try {
    const entry = getChatSummary(source.room.doc, move.chatId)
    await target.room.applyServerChange(
      (doc) => {
        if (entry && !getChatSummary(doc, move.chatId)) doc.transact(() => writeIndexEntry(doc, entry), MOVE_ORIGIN)
      },
      { evenIfFull: true },
    )
  } finally {
    source.release()
    target.release()
  }
}

/** Step 3: the source index no longer lists the chat. */
export async function unlistFromSource(ctx: MoveContext, input: MoveChatInput): Promise<void> {
  const move = checkMove(input)
  const source = await ctx.host.openRoom(move.from, move.workspaceId)
  try {
    await source.room.applyServerChange(
      (doc) => {
        if (getChatSummary(doc, move.chatId)) deleteChat(doc, move.chatId, MOVE_ORIGIN)
      },
      { evenIfFull: true },
    )
  } finally {
    source.release()
  }
}

/**
 * Step 4: the source chat room is closed on this node (its clients get
 * 4403), whatever it stored since step 1 is copied, and its storage
 * deleted, in one transaction; the target room's activity is recorded.
 */
export async function deleteMovedRoom(ctx: MoveContext, input: MoveChatInput): Promise<void> {
  const move = checkMove(input)
  await ctx.host.dropRoom(move.fromChat, 'chat moved')
  const added = await copyRoomStorage(ctx.host.db, move.fromChat, move.toChat, move.workspaceId, {
    deleteSource: true,
  })
  await ctx.host.openedRoom(move.toChat)?.applyStored(added)
  await ctx.touchActivity(move.toChat, move.workspaceId)
}

/**
 * Moves a chat between two index rooms of a workspace (private <-> shared),
 * with its room (decision 021): copy the room's log, list it in the target,
 * unlist it from the source, delete the source room. Every step can run
 * again, so a move interrupted anywhere (a crash, a failed query) and run
 * again ends in the state an uninterrupted one reaches, no message lost or
 * doubled. The caller has checked the person may move it. Returns the
 * chat's entry in the target. Throws `NOT_FOUND` when neither room lists
 * the chat, `BAD_REQUEST` for rooms that are not two index rooms of the workspace.
 */
export async function moveChatBetweenRooms(
  ctx: MoveContext,
  input: MoveChatInput,
  options: MoveChatOptions = {},
): Promise<ChatSummary> {
  const move = checkMove(input)
  const source = await ctx.host.openRoom(move.from, move.workspaceId)
  const target = await ctx.host.openRoom(move.to, move.workspaceId)
  try {
    if (legacyChatIds(source.room.doc).includes(move.chatId)) await ctx.convert(move.from, move.workspaceId)
    if (!getChatSummary(source.room.doc, move.chatId) && !getChatSummary(target.room.doc, move.chatId)) {
      throw new AppError('NOT_FOUND', 'Chat not found')
    }
    const steps = [copyChatRoom, listInTarget, unlistFromSource, deleteMovedRoom]
    for (const step of steps.slice(0, options.stopAfterStep ?? steps.length)) await step(ctx, move)
    const moved = getChatSummary(target.room.doc, move.chatId) ?? getChatSummary(source.room.doc, move.chatId)
    if (!moved) throw new AppError('NOT_FOUND', 'Chat not found')
    return moved
  } finally {
    source.release()
    target.release()
  }
}
