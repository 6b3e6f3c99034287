import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { type ChatMessages, chatsRoot, findChatMessages, readChatEntry, type StoredChat } from './chat-store'
import { MESSAGE_ROLES, readMessages } from './messages'
import { type DocOrigin } from './origin'
import { readStored, type ReadOptions } from './read'

/**
 * The chat index (decision 021): what the sidebar and search need of every
 * chat, one `Y.Map` per chat under its id in the index room's `chatIndex`
 * root: the shared room for shared chats, the member's private room for
 * theirs. The chat's messages live in its own room. Metadata (title,
 * sidekiq, model, pinned, archived) is written here by people, a key each,
 * so concurrent edits of different fields both hold; activity (count, last
 * author, preview, `updatedAt`) is one value written by the server from the
 * chat's room, so every sidebar stays live through the index room alone.
 *
 * An entry is kept to a few Yjs items: what never changes (`info`) and
 * what only the server writes (`activity`) are one value each, and false
 * flags are not stored. Every member's browser and the server decode the
 * whole index when they open the workspace, and the cost of that grows with
 * items more than with bytes (decision 021: 5 items and about 450 bytes a
 * chat instead of 14 and 600 made opening a 5,000-chat index six times faster).
 */
export const CHAT_INDEX_KEY = 'chatIndex'

/** Longest preview kept in the index: a sidebar line, not the message. */
export const PREVIEW_LENGTH = 120

/** An index entry as stored; only the shape is checked (see `storedChat`). */
export const storedIndexEntry = z.object({
  id: z.string(),
  title: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  sidekiqId: z.string().optional(),
  sidekiqName: z.string().optional(),
  model: z.string().optional(),
  pinned: z.boolean().default(false),
  archived: z.boolean().default(false),
  messageCount: z.number().default(0),
  lastAuthorId: z.string().optional(),
  lastRole: z.enum(MESSAGE_ROLES).optional(),
  preview: z.string().optional(),
})

/** An index entry as `storedIndexEntry` parses it. */
export type StoredIndexEntry = z.output<typeof storedIndexEntry>

const storedActivity = z.object({
  messageCount: z.number(),
  updatedAt: z.number(),
  lastAuthorId: z.string().optional(),
  lastRole: z.enum(MESSAGE_ROLES).optional(),
  preview: z.string().optional(),
})

type StoredActivity = z.output<typeof storedActivity>

/** An index entry's map as stored: a key per editable field, `info` and `activity` one value each. */
const storedIndexMap = z.object({
  info: z.object({ createdBy: z.string(), createdAt: z.number() }),
  title: z.string(),
  sidekiqId: z.string().optional(),
  sidekiqName: z.string().optional(),
  model: z.string().optional(),
  pinned: z.boolean().default(false),
  archived: z.boolean().default(false),
  activity: storedActivity,
})

/** Only the fields that are set: Yjs would store an `undefined` too. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** The `chatIndex` root map; values are checked by readers, never trusted. */
export function chatIndexRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CHAT_INDEX_KEY)
}

/** A chat's index entry (or its old-layout entry, which carries the same metadata) with the map it was read from. */
export interface IndexEntry {
  readonly map: Y.Map<unknown>
  readonly value: StoredIndexEntry
  /** True for a chat still in the old layout (`chats`, messages beside it), not yet converted. */
  readonly legacy: boolean
}

function readIndexEntry(key: string, raw: unknown, options?: ReadOptions): IndexEntry | undefined {
  const stored = readStored(storedIndexMap, raw, `${CHAT_INDEX_KEY}/${key}`, options)
  if (!stored) return undefined
  const { info, activity, ...metadata } = stored
  return { map: raw as Y.Map<unknown>, value: { id: key, ...info, ...metadata, ...activity }, legacy: false }
}

/** An old-layout chat read as an index entry, its activity computed from the messages beside it. */
function legacyAsIndexEntry(key: string, raw: unknown, options?: ReadOptions): IndexEntry | undefined {
  const chat = readChatEntry(key, raw, options)
  if (!chat) return undefined
  const { messages: _messages, ...metadata } = chat.value
  const activity = activityOf({
    chatId: key,
    messages: chat.value.messages,
    path: `chats/${key}/messages`,
    touch: () => {},
  })
  return { map: chat.map, value: { ...metadata, ...activity, updatedAt: chat.value.updatedAt }, legacy: true }
}

/** Every readable entry of the index room: index entries, then old-layout chats not in the index. */
export function indexEntries(doc: Y.Doc, options?: ReadOptions): IndexEntry[] {
  const out: IndexEntry[] = []
  const index = chatIndexRoot(doc)
  index.forEach((raw, key) => {
    const entry = readIndexEntry(key, raw, options)
    if (entry) out.push(entry)
  })
  chatsRoot(doc).forEach((raw, key) => {
    if (index.has(key)) return
    const entry = legacyAsIndexEntry(key, raw, options)
    if (entry) out.push(entry)
  })
  return out
}

/** The chat's entry, or `undefined` when the index room lists no readable chat by that id. */
export function findIndexEntry(doc: Y.Doc, chatId: string): IndexEntry | undefined {
  const index = chatIndexRoot(doc)
  if (index.has(chatId)) return readIndexEntry(chatId, index.get(chatId))
  const legacy = chatsRoot(doc)
  return legacy.has(chatId) ? legacyAsIndexEntry(chatId, legacy.get(chatId)) : undefined
}

/** The chat's entry or a `NOT_FOUND`. */
export function requireIndexEntry(doc: Y.Doc, chatId: string): IndexEntry {
  const entry = findIndexEntry(doc, chatId)
  if (!entry) throw new AppError('NOT_FOUND', 'Chat not found')
  return entry
}

/** What the index says of a chat's conversation, computed from its messages. */
export interface ChatActivity {
  readonly messageCount: number
  /** Time of the last message; absent for a chat without messages. */
  readonly updatedAt?: number
  readonly lastAuthorId?: string
  readonly lastRole?: (typeof MESSAGE_ROLES)[number]
  readonly preview?: string
}

/** The preview of a message: its text on one line, cut to `PREVIEW_LENGTH`. */
export function previewOf(content: string): string {
  const line = content.replace(/\s+/g, ' ').trim()
  return line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH - 1)}…` : line
}

function activityOf(chat: ChatMessages): ChatActivity {
  const messages = readMessages(chat.messages, chat.path)
  const last = messages[messages.length - 1]
  if (!last) return { messageCount: 0 }
  let updatedAt = 0
  for (const m of messages) if (m.createdAt > updatedAt) updatedAt = m.createdAt
  return {
    messageCount: messages.length,
    updatedAt,
    lastAuthorId: last.authorId,
    lastRole: last.role,
    preview: previewOf(last.content),
  }
}

/** The activity of the chat held in `doc` (its room, or an old-layout room); null when `doc` holds no such chat. */
export function chatActivity(doc: Y.Doc, chatId: string): ChatActivity | null {
  const chat = findChatMessages(doc, chatId)
  return chat ? activityOf(chat) : null
}

/**
 * Writes a chat's activity into its index entry: only the fields that
 * differ, and `updatedAt` forward only (a rename does not move it, and a
 * client with a slow clock cannot sink the chat). Returns false when the
 * index has no entry for the chat (deleted, or not yet synced): the index
 * is not where chats come into being.
 */
export function recordChatActivity(doc: Y.Doc, chatId: string, activity: ChatActivity, origin: DocOrigin): boolean {
  const index = chatIndexRoot(doc)
  if (!index.has(chatId)) return false
  const entry = readIndexEntry(chatId, index.get(chatId))
  if (!entry) return false
  const { value } = entry
  const next: StoredActivity = definedOnly({
    messageCount: activity.messageCount,
    updatedAt: Math.max(value.updatedAt, activity.updatedAt ?? 0),
    lastAuthorId: activity.lastAuthorId,
    lastRole: activity.lastRole,
    preview: activity.preview,
  })
  const same =
    next.messageCount === value.messageCount &&
    next.updatedAt === value.updatedAt &&
    next.lastAuthorId === value.lastAuthorId &&
    next.lastRole === value.lastRole &&
    next.preview === value.preview
  if (!same) doc.transact(() => entry.map.set('activity', next), origin)
  return true
}

/** The metadata fields an index entry is written from (a new chat, a converted or imported one). */
export type IndexEntryFields = Omit<StoredIndexEntry, 'pinned' | 'archived' | 'messageCount'> &
  Partial<Pick<StoredIndexEntry, 'pinned' | 'archived' | 'messageCount'>>

/** Writes a new index entry under `fields.id`; the caller runs it in a transaction and has checked the id is free. */
export function writeIndexEntry(doc: Y.Doc, fields: IndexEntryFields): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  map.set('info', { createdBy: fields.createdBy, createdAt: fields.createdAt })
  map.set('title', fields.title)
  for (const key of ['sidekiqId', 'sidekiqName', 'model'] as const) {
    if (fields[key] !== undefined) map.set(key, fields[key])
  }
  if (fields.pinned) map.set('pinned', true)
  if (fields.archived) map.set('archived', true)
  map.set(
    'activity',
    definedOnly({
      messageCount: fields.messageCount ?? 0,
      updatedAt: fields.updatedAt,
      lastAuthorId: fields.lastAuthorId,
      lastRole: fields.lastRole,
      preview: fields.preview,
    }),
  )
  chatIndexRoot(doc).set(fields.id, map)
  return map
}

/** An old-layout chat's metadata as index entry fields (for its conversion). */
export function indexFieldsOfLegacyChat(chat: StoredChat): IndexEntryFields {
  const { messages: _messages, ...fields } = chat
  return fields
}
