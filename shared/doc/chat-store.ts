import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { CHAT_ROOM_MESSAGES_KEY, chatRoomMessages, isChatRoomOf } from './chat-room'
import { readStored, type ReadOptions } from './read'

/**
 * The `chats` root type's key and stored layout: every chat with its
 * messages, in an index room written before decision 021 (the old layout,
 * which the server converts and readers still read). Kept apart from `chats.ts`
 * because both `chats.ts` (a chat with its messages) and `messages.ts`
 * (mutations that find their chat) need it, and neither may import the other
 * without a cycle.
 */
export const CHATS_KEY = 'chats'

/**
 * A chat as stored: a `Y.Map` under its id in `chats`. Only the shape is
 * checked here; lengths and formats are checked on input, so a limit changed
 * later does not hide chats written under the old one.
 */
export const storedChat = z.object({
  id: z.string(),
  title: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  sidekiqId: z.string().optional(),
  /** The sidekiq's name when the chat was started; shown once the sidekiq is deleted. */
  sidekiqName: z.string().optional(),
  /** The model picked for this chat; it outranks the sidekiq's and the defaults. */
  model: z.string().optional(),
  // Absent reads as false, so a chat written without them still lists.
  pinned: z.boolean().default(false),
  archived: z.boolean().default(false),
  messages: z.instanceof(Y.Array),
})

/** A chat as `storedChat` parses it, messages still a `Y.Array`. */
export type StoredChat = z.output<typeof storedChat>

/** A stored chat with the `Y.Map` it was read from, for mutations. */
export interface ChatEntry {
  readonly map: Y.Map<unknown>
  readonly value: StoredChat
}

/** The `chats` root map; values are checked by `readChatEntry`, never trusted. */
export function chatsRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CHATS_KEY)
}

/** Validates the chat under `key`; a chat whose `id` disagrees with its key is corrupt, not a second chat. */
export function readChatEntry(key: string, raw: unknown, options?: ReadOptions): ChatEntry | undefined {
  const path = `${CHATS_KEY}/${key}`
  const value = readStored(storedChat, raw, path, options)
  if (!value) return undefined
  if (value.id !== key) {
    options?.onInvalid?.({ path, message: `id: stored id "${value.id}" differs from its key` })
    return undefined
  }
  return { map: raw as Y.Map<unknown>, value }
}

/** The chat as readers see it, or `undefined` when absent or unreadable. */
export function findChat(doc: Y.Doc, chatId: string): ChatEntry | undefined {
  const root = chatsRoot(doc)
  return root.has(chatId) ? readChatEntry(chatId, root.get(chatId)) : undefined
}

/**
 * The chat or a `NOT_FOUND`. Mutations act only on chats readers show, so a
 * corrupt chat cannot be half-written into.
 */
export function requireChat(doc: Y.Doc, chatId: string): ChatEntry {
  const chat = findChat(doc, chatId)
  if (!chat) throw new AppError('NOT_FOUND', 'Chat not found')
  return chat
}

/**
 * Where a chat's messages are written: its own room (decision 021), or,
 * in a room still in the layout before it, the `messages` of its entry in
 * `chats`. `touch` moves the chat's `updatedAt` where the messages live
 * beside it; a chat room's activity reaches the index through the server.
 */
export interface ChatMessages {
  readonly chatId: string
  readonly messages: Y.Array<unknown>
  /** The array's path, where readers report what they skip: `messages`, or `chats/<id>/messages`. */
  readonly path: string
  touch(at: number): void
}

/** The chat's messages in `doc`, or `undefined` when `doc` holds neither its room nor a readable old-layout entry. */
export function findChatMessages(doc: Y.Doc, chatId: string): ChatMessages | undefined {
  if (isChatRoomOf(doc, chatId)) {
    return { chatId, messages: chatRoomMessages(doc), path: CHAT_ROOM_MESSAGES_KEY, touch: () => {} }
  }
  const legacy = findChat(doc, chatId)
  if (!legacy) return undefined
  return {
    chatId,
    messages: legacy.value.messages,
    path: `${CHATS_KEY}/${chatId}/messages`,
    touch: (at) => {
      if (at > legacy.value.updatedAt) legacy.map.set('updatedAt', at)
    },
  }
}

/** The chat's messages or a `NOT_FOUND`. */
export function requireChatMessages(doc: Y.Doc, chatId: string): ChatMessages {
  const chat = findChatMessages(doc, chatId)
  if (!chat) throw new AppError('NOT_FOUND', 'Chat not found')
  return chat
}
