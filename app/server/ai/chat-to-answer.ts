import type * as Y from 'yjs'
import type { RoomHold, SyncServer } from '../../../sync-server'
import { type Chat, type ClientState, getChat, getChatMessages, hasClientState } from '../../../shared/doc'
import { AppError, notFound } from '../../../shared/errors'
import type { ChatRooms } from '../chat-rooms'

/** How long a request waits for the asker's edits to arrive over the websocket, ms. */
export const WAIT_FOR_EDITS_MS = 3000

/** A chat to answer in, its two rooms held open by the caller (who releases `holds`). */
export interface ChatToAnswer {
  readonly chat: Chat
  /** The chat's own room: the answer streams here. */
  readonly room: RoomHold
  /** The index room listing the chat: its title is written here. */
  readonly index: RoomHold
}

/**
 * Opens the chat's two rooms (decision 021) and reads the chat: its
 * metadata (title, model, sidekiq) from the index room, its messages from
 * its own room. With `after` (the asker's own edits of the chat room up to
 * the question), it first waits, briefly, until the server holds those
 * edits and the index lists the chat: the question and a chat just created
 * travel over the websockets, this request over HTTP. A chat still in the
 * layout before decision 021 is waited for too while the sync server
 * converts it (it does so on opening the index room). Throws LIMIT_REACHED
 * when the chat's room is full, NOT_SYNCED
 * when what it waited for did not come (sent again, the request succeeds),
 * NOT_FOUND when the index does not list the chat. Every hold it took is in
 * `holds`, for the caller to release, whatever it throws.
 */
export async function openChatToAnswer(
  sync: Pick<SyncServer, 'openRoom'>,
  rooms: ChatRooms,
  after: ClientState | undefined,
  holds: RoomHold[],
): Promise<ChatToAnswer> {
  const room = await sync.openRoom(rooms.chat, rooms.workspaceId)
  holds.push(room)
  const index = await sync.openRoom(rooms.index, rooms.workspaceId)
  holds.push(index)
  const deadline = Date.now() + WAIT_FOR_EDITS_MS
  if (after && !(await whenTrue([room.room.doc], () => hasClientState(room.room.doc, after), deadline))) {
    throw new AppError('NOT_SYNCED', 'Your latest edits have not reached the server yet: try again')
  }
  const listed = () => getChat(index.room.doc, rooms.chatId) !== null
  if (after && !(await whenTrue([index.room.doc], listed, deadline))) {
    throw new AppError('NOT_SYNCED', 'The new chat has not reached the server yet: try again')
  }
  if (!listed()) throw notFound('Chat')
  // Old layout: the messages are beside the index entry until the conversion has copied them into the room.
  const converted = () =>
    getChatMessages(room.room.doc, rooms.chatId) !== null || getChatMessages(index.room.doc, rooms.chatId) === null
  if (!(await whenTrue([room.room.doc, index.room.doc], converted, Math.max(deadline, Date.now() + 1000)))) {
    throw new AppError('NOT_SYNCED', 'This chat is being moved to its own room: try again in a moment')
  }
  const chat = getChat(index.room.doc, rooms.chatId, room.room.doc)
  if (!chat) throw notFound('Chat')
  // A chat already full takes no answer: refused now (the sync server's RoomFullError, 403 with its
  // reason), before the model is called or quota held. A change that changes nothing stores nothing.
  await room.room.applyServerChange(() => undefined)
  return { chat, room, index }
}

/** Resolves true once `holds()` is true (checked after every update of `docs`), false at `deadline`. */
function whenTrue(docs: Y.Doc[], holds: () => boolean, deadline: number): Promise<boolean> {
  if (holds()) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (seen: boolean) => {
      clearTimeout(timer)
      for (const doc of docs) doc.off('update', check)
      resolve(seen)
    }
    const check = () => {
      if (holds()) done(true)
    }
    const timer = setTimeout(() => done(holds()), Math.max(0, deadline - Date.now()))
    for (const doc of docs) doc.on('update', check)
  })
}
