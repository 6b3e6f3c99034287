import type * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import {
  type ChatEdit,
  chatIndexRoot,
  deleteIndexEntry,
  indexEntries,
  findIndexEntry,
  requireIndexEntry,
  storedIndexEntry,
  type StoredIndexEntry,
  writeChatEdits,
  writeIndexEntry,
  writeTitleOfUntitled,
} from './chat-index'
import { chatsRoot, findChatMessages } from './chat-store'
import { docId, newId, timestamp } from './ids'
import { type Message, type MessageRole, messageSchema, readMessages } from './messages'
import { type DocOrigin, LOCAL_ORIGIN } from './origin'
import type { ReadOptions } from './read'
import { sidekiqNameInput } from './sidekiqs'

/** A chat without its messages, as the sidebar lists it: its entry in the chat index. */
export interface ChatSummary {
  readonly id: string
  /** Empty until named; the UI shows a placeholder. */
  readonly title: string
  readonly createdBy: string
  readonly createdAt: number
  /** Time of the last message: conversation activity, which orders the sidebar. */
  readonly updatedAt: number
  /** The sidekiq the chat talks to; sidekiqs live in the workspace's shared room. */
  readonly sidekiqId?: string
  /**
   * The sidekiq's name when the chat was started, so the chat still says who
   * it talked to after the sidekiq is deleted.
   */
  readonly sidekiqName?: string
  /** The model picked for this chat, if any (catalog id). */
  readonly model?: string
  readonly pinned: boolean
  readonly archived: boolean
  /** Messages in the chat's room, as the server last counted them. */
  readonly messageCount: number
  /** Who wrote the last message, and as what. */
  readonly lastAuthorId?: string
  readonly lastRole?: MessageRole
  /** The last message's text on one line, cut short. */
  readonly preview?: string
}

/**
 * A `ChatSummary` as plain data (kept outside the doc, e.g. the sidebar's
 * copy on the device), checked when read back.
 */
export const chatSummarySchema = storedIndexEntry

/** A chat with its messages as readers return it: the shape of a copy kept outside the doc. */
export const chatSchema = chatSummarySchema.extend({ messages: z.array(messageSchema) })

/** A chat with its messages, in conversation order. */
export interface Chat extends ChatSummary {
  readonly messages: readonly Message[]
}

const chatTitle = z.string().trim().max(200, 'At most 200 characters')

/** Input of `createChat`. */
export const createChatInput = z.strictObject({
  id: docId.optional(),
  title: chatTitle.default(''),
  createdBy: docId,
  createdAt: timestamp.optional(),
  sidekiqId: docId.optional(),
  sidekiqName: sidekiqNameInput.optional(),
  model: z.string().trim().min(1).max(128).optional(),
  pinned: z.boolean().default(false),
})

/** What `createChat` accepts, before defaults. */
export type CreateChatInput = z.input<typeof createChatInput>

function toSummary(v: StoredIndexEntry): ChatSummary {
  return {
    id: v.id,
    title: v.title,
    createdBy: v.createdBy,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
    ...(v.sidekiqId !== undefined ? { sidekiqId: v.sidekiqId } : {}),
    ...(v.sidekiqName !== undefined ? { sidekiqName: v.sidekiqName } : {}),
    ...(v.model !== undefined ? { model: v.model } : {}),
    pinned: v.pinned,
    archived: v.archived,
    messageCount: v.messageCount,
    ...(v.lastAuthorId !== undefined ? { lastAuthorId: v.lastAuthorId } : {}),
    ...(v.lastRole !== undefined ? { lastRole: v.lastRole } : {}),
    ...(v.preview !== undefined ? { preview: v.preview } : {}),
  }
}

/**
 * Pinned first, then most recent activity, then id: the id breaks ties
 * because `Y.Map` iteration order differs between peers, and every peer
 * must show the same list.
 */
function compareChats(a: ChatSummary, b: ChatSummary): number {
  if (a.pinned !== b.pinned) return a.pinned ? -1 : 1
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Every readable chat of an index room, archived ones included (they carry `archived: true`). */
export function listChats(index: Y.Doc, options?: ReadOptions): ChatSummary[] {
  return indexEntries(index, options)
    .map((entry) => toSummary(entry.value))
    .sort(compareChats)
}

/** The chat's index entry, or `null` when the index room lists no such chat. */
export function getChatSummary(index: Y.Doc, chatId: string): ChatSummary | null {
  const entry = findIndexEntry(index, chatId)
  return entry ? toSummary(entry.value) : null
}

/**
 * The readable messages of a chat held in `doc`: its own room, or an
 * old-layout room holding the chat with its messages. `null` when `doc`
 * holds neither (a chat room not loaded yet, or not this chat's).
 */
export function getChatMessages(doc: Y.Doc, chatId: string, options?: ReadOptions): Message[] | null {
  const chat = findChatMessages(doc, chatId)
  return chat ? readMessages(chat.messages, chat.path, options) : null
}

/**
 * The chat with its messages: its entry in `index`, its messages from
 * `room` (the chat's own room) or, for a chat not yet converted, from beside
 * the entry. `null` when the index lists no such chat; no messages when
 * neither doc holds them yet.
 */
export function getChat(index: Y.Doc, chatId: string, room?: Y.Doc | null, options?: ReadOptions): Chat | null {
  const summary = getChatSummary(index, chatId)
  if (!summary) return null
  const messages = (room && getChatMessages(room, chatId, options)) ?? getChatMessages(index, chatId, options) ?? []
  return { ...summary, messages }
}

/**
 * Lists a new, empty chat in an index room. Its messages go to its own
 * room (`openChatRoom`). Throws `CONFLICT` when the id is taken in this room.
 */
export function createChat(index: Y.Doc, input: CreateChatInput, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(createChatInput, input)
  const id = v.id ?? newId()
  const createdAt = v.createdAt ?? Date.now()
  index.transact(() => {
    // A second set under the same key would replace the first chat.
    if (chatIndexRoot(index).has(id) || chatsRoot(index).has(id))
      throw new AppError('CONFLICT', 'A chat with this id already exists')
    writeIndexEntry(index, {
      id,
      title: v.title,
      createdBy: v.createdBy,
      createdAt,
      updatedAt: createdAt,
      sidekiqId: v.sidekiqId,
      sidekiqName: v.sidekiqName,
      model: v.model,
      pinned: v.pinned,
    })
  }, origin)
  return toSummary(requireIndexEntry(index, id).value)
}

/**
 * Writes people's edit of a chat's fields in one transaction and returns
 * its summary. Metadata edits leave `updatedAt` alone: it orders the sidebar
 * by conversation, and renaming an old chat should not lift it to the top.
 */
function updateChat(doc: Y.Doc, chatId: string, origin: DocOrigin, edit: ChatEdit): ChatSummary {
  doc.transact(() => {
    requireIndexEntry(doc, chatId)
    writeChatEdits(doc, chatId, edit)
  }, origin)
  return toSummary(requireIndexEntry(doc, chatId).value)
}

/** Picks the chat's model (a catalog id), or clears it (`null`) to fall back to the sidekiq's and the defaults. */
export function setChatModel(
  doc: Y.Doc,
  chatId: string,
  model: string | null,
  origin: DocOrigin = LOCAL_ORIGIN,
): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, model: z.string().trim().min(1).max(128).nullable() }), {
    chatId,
    model,
  })
  return updateChat(doc, v.chatId, origin, { model: v.model })
}

/**
 * Picks the sidekiq a chat talks to (recording its name, which the chat
 * keeps if the sidekiq is deleted), or clears it with `null`.
 */
export function setChatSidekiq(
  doc: Y.Doc,
  chatId: string,
  sidekiq: { id: string; name: string } | null,
  origin: DocOrigin = LOCAL_ORIGIN,
): ChatSummary {
  const v = parseInput(
    z.strictObject({
      chatId: docId,
      sidekiq: z.strictObject({ id: docId, name: sidekiqNameInput }).nullable(),
    }),
    { chatId, sidekiq },
  )
  return updateChat(doc, v.chatId, origin, {
    sidekiqId: v.sidekiq?.id ?? null,
    sidekiqName: v.sidekiq?.name ?? null,
  })
}

/** Renames a chat. Concurrent renames resolve to one of them on every peer. */
export function renameChat(doc: Y.Doc, chatId: string, title: string, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, title: chatTitle.min(1, 'Required') }), { chatId, title })
  return updateChat(doc, v.chatId, origin, { title: v.title })
}

/**
 * Names an untitled chat: the server's AI title. A title someone typed,
 * before or at the same time, wins. Returns false when the chat is not
 * listed or has a title already.
 */
export function nameUntitledChat(doc: Y.Doc, chatId: string, title: string, origin: DocOrigin): boolean {
  const v = parseInput(z.strictObject({ chatId: docId, title: chatTitle.min(1, 'Required') }), { chatId, title })
  return writeTitleOfUntitled(doc, v.chatId, v.title, origin)
}

/** Pins or unpins a chat; pinned chats list first. */
export function setPinned(doc: Y.Doc, chatId: string, pinned: boolean, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, pinned: z.boolean() }), { chatId, pinned })
  return updateChat(doc, v.chatId, origin, { pinned: v.pinned })
}

/** Archives or restores a chat; archived chats keep their content and stay listed with `archived: true`. */
export function setArchived(
  doc: Y.Doc,
  chatId: string,
  archived: boolean,
  origin: DocOrigin = LOCAL_ORIGIN,
): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, archived: z.boolean() }), { chatId, archived })
  return updateChat(doc, v.chatId, origin, { archived: v.archived })
}

/**
 * Deletes a chat from its index room; the server then deletes the chat's
 * room with its messages. Throws `NOT_FOUND` when absent. A delete
 * concurrent with an edit of the same entry wins on every peer.
 */
export function deleteChat(index: Y.Doc, chatId: string, origin: DocOrigin = LOCAL_ORIGIN): void {
  const v = parseInput(z.strictObject({ chatId: docId }), { chatId })
  index.transact(() => {
    requireIndexEntry(index, v.chatId)
    deleteIndexEntry(index, v.chatId)
    chatsRoot(index).delete(v.chatId)
  }, origin)
}

/**
 * Moves a chat's index entry from one index room to another: the part of
 * moving a chat between a member's private room and the shared room that
 * the index holds. The chat's own room is moved by the server, which copies
 * its stored updates first (decision 021). The target is written first and
 * the source deleted after, so a failure in between lists the chat twice,
 * never nowhere. Throws `NOT_FOUND` for an unknown chat, `CONFLICT` when the
 * target lists that id or the chat is still in the old layout (the server
 * converts it first), `BAD_REQUEST` when both docs are one.
 */
export function moveChat(fromIndex: Y.Doc, toIndex: Y.Doc, chatId: string, origin: DocOrigin): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId }), { chatId })
  if (fromIndex === toIndex) throw new AppError('BAD_REQUEST', 'Source and target are the same doc')
  const source = requireIndexEntry(fromIndex, v.chatId)
  if (source.legacy) throw new AppError('CONFLICT', 'The chat is being converted; try again in a moment')
  if (chatIndexRoot(toIndex).has(v.chatId) || chatsRoot(toIndex).has(v.chatId))
    throw new AppError('CONFLICT', 'The target already has a chat with this id')
  toIndex.transact(() => writeIndexEntry(toIndex, source.value), origin)
  fromIndex.transact(() => {
    deleteIndexEntry(fromIndex, v.chatId)
    // The emptied old-layout entry of a converted chat goes too, or it would be converted back here.
    chatsRoot(fromIndex).delete(v.chatId)
  }, origin)
  return toSummary(requireIndexEntry(toIndex, v.chatId).value)
}
