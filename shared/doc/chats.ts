import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import { CHATS_KEY, chatsRoot, readChatEntry, requireChat, storedChat, type StoredChat } from './chat-store'
import { docId, newId, timestamp } from './ids'
import { hasOpenMessage, type Message, messageSchema, readMessages } from './messages'
import { type DocOrigin, LOCAL_ORIGIN } from './origin'
import type { ReadOptions } from './read'
import { sidekiqNameInput } from './sidekiqs'

/** A chat without its messages, as the sidebar lists it. */
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
}

/**
 * A `ChatSummary` as plain data (kept outside the doc, e.g. the sidebar's
 * copy on the device), checked when read back.
 */
export const chatSummarySchema = storedChat.omit({ messages: true })

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

function toSummary(v: StoredChat): ChatSummary {
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

/** Every readable chat of the doc, archived ones included (they carry `archived: true`). */
export function listChats(doc: Y.Doc, options?: ReadOptions): ChatSummary[] {
  const out: ChatSummary[] = []
  chatsRoot(doc).forEach((raw, key) => {
    const chat = readChatEntry(key, raw, options)
    if (chat) out.push(toSummary(chat.value))
  })
  return out.sort(compareChats)
}

/** The chat with its readable messages, or `null` when it is absent or unreadable. */
export function getChat(doc: Y.Doc, chatId: string, options?: ReadOptions): Chat | null {
  const root = chatsRoot(doc)
  if (!root.has(chatId)) return null
  const chat = readChatEntry(chatId, root.get(chatId), options)
  if (!chat) return null
  return { ...toSummary(chat.value), messages: readMessages(chat.value.messages, `${CHATS_KEY}/${chatId}`, options) }
}

/** Creates an empty chat. Throws `CONFLICT` when the id is taken in this doc. */
export function createChat(doc: Y.Doc, input: CreateChatInput, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(createChatInput, input)
  const id = v.id ?? newId()
  const createdAt = v.createdAt ?? Date.now()
  doc.transact(() => {
    const root = chatsRoot(doc)
    // A second set under the same key would replace the first chat with all its messages.
    if (root.has(id)) throw new AppError('CONFLICT', 'A chat with this id already exists')
    const map = new Y.Map<unknown>()
    map.set('id', id)
    map.set('title', v.title)
    map.set('createdBy', v.createdBy)
    map.set('createdAt', createdAt)
    map.set('updatedAt', createdAt)
    if (v.sidekiqId !== undefined) map.set('sidekiqId', v.sidekiqId)
    if (v.sidekiqName !== undefined) map.set('sidekiqName', v.sidekiqName)
    if (v.model !== undefined) map.set('model', v.model)
    map.set('pinned', v.pinned)
    map.set('archived', false)
    map.set('messages', new Y.Array<unknown>())
    root.set(id, map)
  }, origin)
  return toSummary(requireChat(doc, id).value)
}

/**
 * Runs `write` on a chat's map in one transaction and returns its summary.
 * Metadata edits leave `updatedAt` alone: it orders the sidebar by
 * conversation, and renaming an old chat should not lift it to the top.
 */
function updateChat(doc: Y.Doc, chatId: string, origin: DocOrigin, write: (map: Y.Map<unknown>) => void): ChatSummary {
  doc.transact(() => write(requireChat(doc, chatId).map), origin)
  return toSummary(requireChat(doc, chatId).value)
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
  return updateChat(doc, v.chatId, origin, (map) =>
    v.model === null ? map.delete('model') : map.set('model', v.model),
  )
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
  return updateChat(doc, v.chatId, origin, (map) => {
    if (v.sidekiq === null) {
      map.delete('sidekiqId')
      map.delete('sidekiqName')
    } else {
      map.set('sidekiqId', v.sidekiq.id)
      map.set('sidekiqName', v.sidekiq.name)
    }
  })
}

/** Renames a chat. Concurrent renames resolve to one of them on every peer. */
export function renameChat(doc: Y.Doc, chatId: string, title: string, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, title: chatTitle.min(1, 'Required') }), { chatId, title })
  return updateChat(doc, v.chatId, origin, (map) => map.set('title', v.title))
}

/** Pins or unpins a chat; pinned chats list first. */
export function setPinned(doc: Y.Doc, chatId: string, pinned: boolean, origin: DocOrigin = LOCAL_ORIGIN): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, pinned: z.boolean() }), { chatId, pinned })
  return updateChat(doc, v.chatId, origin, (map) => map.set('pinned', v.pinned))
}

/** Archives or restores a chat; archived chats keep their content and stay listed with `archived: true`. */
export function setArchived(
  doc: Y.Doc,
  chatId: string,
  archived: boolean,
  origin: DocOrigin = LOCAL_ORIGIN,
): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId, archived: z.boolean() }), { chatId, archived })
  return updateChat(doc, v.chatId, origin, (map) => map.set('archived', v.archived))
}

/**
 * Deletes a chat and its messages. Throws `NOT_FOUND` when absent. A delete
 * concurrent with an edit of the same chat wins on every peer: the edit
 * lands inside the deleted map, which no reader sees.
 */
export function deleteChat(doc: Y.Doc, chatId: string, origin: DocOrigin = LOCAL_ORIGIN): void {
  const v = parseInput(z.strictObject({ chatId: docId }), { chatId })
  doc.transact(() => {
    requireChat(doc, v.chatId)
    chatsRoot(doc).delete(v.chatId)
  }, origin)
}

/**
 * Moves a chat, with everything in it, from one room's doc to another's:
 * how a chat goes from a member's private room to the workspace's shared
 * room and back. The copy is deep (new Y types, text with its formatting,
 * fields this version does not know), because a Y type cannot belong to two
 * docs. The source doc must be synced: what it has not received is not moved.
 *
 * The target is written first and the source deleted after: the two docs
 * cannot share a transaction, and a failure in between then leaves the chat
 * in both rooms rather than in neither. Throws `NOT_FOUND` for an unknown
 * chat, `CONFLICT` when the target has that id or an answer is still being
 * written into the chat (its streamer writes to the source room, and what it
 * wrote after the copy would be lost), `BAD_REQUEST` when both docs are one.
 */
export function moveChat(fromDoc: Y.Doc, toDoc: Y.Doc, chatId: string, origin: DocOrigin): ChatSummary {
  const v = parseInput(z.strictObject({ chatId: docId }), { chatId })
  if (fromDoc === toDoc) throw new AppError('BAD_REQUEST', 'Source and target are the same doc')
  const source = requireChat(fromDoc, v.chatId)
  if (chatsRoot(toDoc).has(v.chatId)) throw new AppError('CONFLICT', 'The target already has a chat with this id')
  if (hasOpenMessage(source)) throw new AppError('CONFLICT', 'An answer is still being written in this chat')
  const copy = source.map.clone()
  toDoc.transact(() => chatsRoot(toDoc).set(v.chatId, copy), origin)
  fromDoc.transact(() => chatsRoot(fromDoc).delete(v.chatId), origin)
  return toSummary(requireChat(toDoc, v.chatId).value)
}
