import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import {
  type ChatMessages,
  chatsRoot,
  findChatMessages,
  readChatEntry,
  type StoredChat,
  storedChat,
} from './chat-store'
import { MESSAGE_ROLES, readMessages } from './messages'
import { type DocOrigin } from './origin'
import { type ReadOptions } from './read'

/**
 * The chat index (decision 021): what the sidebar and search need of every
 * chat, in the index room (the shared room for shared chats, the member's
 * private room for theirs); the chat's messages live in its own room.
 *
 * Every member's browser and the server hold the whole index while the
 * workspace is open, and its cost grows with Yjs items and Y types far more
 * than with bytes: a `Y.Map` per chat held 2.5 KB of heap a chat, one plain
 * value about 1 KB (decision 021). So an entry is two parts:
 *
 * - its **base**, one plain value under the chat's id in the `chatIndex`
 *   root: the metadata it was listed with and the activity (count, last
 *   author, preview, `updatedAt`). After the chat is listed only the server
 *   writes it: the activity from the chat's room, and an AI title for an
 *   untitled chat. Every sidebar stays live through the index room alone.
 * - its **edits**, what people changed since (title, sidekiq, model,
 *   pinned, archived), a key each in the `chatEdits` root under
 *   `<chatId>/<field>`, so concurrent edits of different fields both hold
 *   and none races the server's writes of the base. Most chats have none.
 *
 * An edit overrides the base; `null` clears an optional field. False flags
 * are not stored.
 */
export const CHAT_INDEX_KEY = 'chatIndex'
/** The root of people's edits of index entries, keyed `<chatId>/<field>`. */
export const CHAT_EDITS_KEY = 'chatEdits'

/** Longest preview kept in the index: a sidebar line, not the message. */
export const PREVIEW_LENGTH = 120

/** An index entry as stored: an old-layout chat's metadata without its messages, plus the activity. */
export const storedIndexEntry = storedChat.omit({ messages: true }).extend({
  messageCount: z.number().default(0),
  lastAuthorId: z.string().optional(),
  lastRole: z.enum(MESSAGE_ROLES).optional(),
  preview: z.string().optional(),
})

/** An index entry as `storedIndexEntry` parses it. */
export type StoredIndexEntry = z.output<typeof storedIndexEntry>

/** An entry's base as stored: the entry without its id (the key). Unknown fields pass, for newer versions. */
const storedBase = storedIndexEntry
  .omit({ id: true })
  .extend({ title: z.string().default('') })
  .passthrough()

/** The fields people edit, and what an edit of each may hold (`null`: cleared). */
const editValues = {
  title: z.string(),
  sidekiqId: z.string().nullable(),
  sidekiqName: z.string().nullable(),
  model: z.string().nullable(),
  pinned: z.boolean(),
  archived: z.boolean(),
} as const

/** A field of an index entry that people edit. */
export type EditableField = keyof typeof editValues

const EDITABLE_FIELDS = Object.keys(editValues) as EditableField[]

/** An edit of one field: its value, or `null` to clear an optional one. */
export type ChatEdit = { [F in EditableField]?: z.output<(typeof editValues)[F]> }

const editKey = (chatId: string, field: EditableField) => `${chatId}/${field}`

/** Only the fields that are set: Yjs would store an `undefined` too. */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}

/** The `chatIndex` root map; values are checked by readers, never trusted. */
export function chatIndexRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CHAT_INDEX_KEY)
}

/** The `chatEdits` root map; values are checked by readers, never trusted. */
function chatEditsRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(CHAT_EDITS_KEY)
}

/** A chat's index entry (or its old-layout entry, which carries the same metadata). */
export interface IndexEntry {
  readonly value: StoredIndexEntry
  /** True for a chat still in the old layout (`chats`, messages beside it), not yet converted. */
  readonly legacy: boolean
}

function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !(raw instanceof Y.AbstractType)
}

function readBase(key: string, raw: unknown, options?: ReadOptions): z.output<typeof storedBase> | undefined {
  const path = `${CHAT_INDEX_KEY}/${key}`
  if (!isPlainObject(raw)) {
    options?.onInvalid?.({ path, message: 'Not an object' })
    return undefined
  }
  const result = storedBase.safeParse(raw)
  if (result.success) return result.data
  const message = result.error.issues.map((i) => `${i.path.join('.') || '_'}: ${i.message}`).join('; ')
  options?.onInvalid?.({ path, message })
  return undefined
}

/** `value` with the chat's readable edits applied; an edit that fails its field's schema is skipped. */
function withEdits<T extends object>(doc: Y.Doc, chatId: string, value: T, options?: ReadOptions): T {
  const edits = chatEditsRoot(doc)
  if (edits.size === 0) return value
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) }
  for (const field of EDITABLE_FIELDS) {
    const key = editKey(chatId, field)
    if (!edits.has(key)) continue
    const parsed = editValues[field].safeParse(edits.get(key))
    if (!parsed.success) {
      options?.onInvalid?.({ path: `${CHAT_EDITS_KEY}/${key}`, message: parsed.error.issues[0]?.message ?? 'Invalid' })
    } else if (parsed.data === null) delete out[field]
    else out[field] = parsed.data
  }
  return out as T
}

function readIndexEntry(doc: Y.Doc, key: string, raw: unknown, options?: ReadOptions): IndexEntry | undefined {
  const base = readBase(key, raw, options)
  if (!base) return undefined
  const merged = withEdits(doc, key, base, options)
  const parsed = storedIndexEntry.safeParse({ ...merged, id: key })
  return parsed.success ? { value: parsed.data, legacy: false } : undefined
}

/** An old-layout chat read as an index entry, its activity computed from the messages beside it. */
function legacyAsIndexEntry(doc: Y.Doc, key: string, raw: unknown, options?: ReadOptions): IndexEntry | undefined {
  const chat = readChatEntry(key, raw, options)
  if (!chat) return undefined
  const { messages: _messages, ...metadata } = chat.value
  const activity = activityOf({
    chatId: key,
    messages: chat.value.messages,
    path: `chats/${key}/messages`,
    touch: () => {},
  })
  const value = withEdits(doc, key, { ...metadata, ...activity, updatedAt: chat.value.updatedAt }, options)
  return { value, legacy: true }
}

/** Every readable entry of the index room: index entries, then old-layout chats not in the index. */
export function indexEntries(doc: Y.Doc, options?: ReadOptions): IndexEntry[] {
  const out: IndexEntry[] = []
  const index = chatIndexRoot(doc)
  index.forEach((raw, key) => {
    const entry = readIndexEntry(doc, key, raw, options)
    if (entry) out.push(entry)
  })
  chatsRoot(doc).forEach((raw, key) => {
    if (index.has(key)) return
    const entry = legacyAsIndexEntry(doc, key, raw, options)
    if (entry) out.push(entry)
  })
  return out
}

/** The chat's entry, or `undefined` when the index room lists no readable chat by that id. */
export function findIndexEntry(doc: Y.Doc, chatId: string): IndexEntry | undefined {
  const index = chatIndexRoot(doc)
  if (index.has(chatId)) return readIndexEntry(doc, chatId, index.get(chatId))
  const legacy = chatsRoot(doc)
  return legacy.has(chatId) ? legacyAsIndexEntry(doc, chatId, legacy.get(chatId)) : undefined
}

/** The chat's entry or a `NOT_FOUND`. */
export function requireIndexEntry(doc: Y.Doc, chatId: string): IndexEntry {
  const entry = findIndexEntry(doc, chatId)
  if (!entry) throw new AppError('NOT_FOUND', 'Chat not found')
  return entry
}

/**
 * Writes people's edits of a listed chat's fields, a key each; the caller
 * runs it in a transaction and has checked the chat is listed (`NOT_FOUND`).
 */
export function writeChatEdits(doc: Y.Doc, chatId: string, edit: ChatEdit): void {
  const edits = chatEditsRoot(doc)
  for (const field of EDITABLE_FIELDS) {
    const value = edit[field]
    if (value !== undefined) edits.set(editKey(chatId, field), value)
  }
}

/** Removes a chat's entry from an index room: its base and its edits. The caller runs it in a transaction. */
export function deleteIndexEntry(doc: Y.Doc, chatId: string): void {
  chatIndexRoot(doc).delete(chatId)
  const edits = chatEditsRoot(doc)
  for (const field of EDITABLE_FIELDS) {
    const key = editKey(chatId, field)
    if (edits.has(key)) edits.delete(key)
  }
}

/**
 * Names an untitled chat (the server's AI title), in the entry's base: a
 * title someone typed, before or concurrently, is an edit and wins.
 * Returns false when the chat is not listed, or has a title already.
 */
export function writeTitleOfUntitled(doc: Y.Doc, chatId: string, title: string, origin: DocOrigin): boolean {
  const raw = chatIndexRoot(doc).get(chatId)
  const entry = findIndexEntry(doc, chatId)
  if (!entry || entry.legacy || entry.value.title || !isPlainObject(raw)) return false
  doc.transact(() => chatIndexRoot(doc).set(chatId, { ...raw, title }), origin)
  return true
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
  const raw = index.get(chatId)
  const base = readBase(chatId, raw)
  if (!base || !isPlainObject(raw)) return false
  const next = definedOnly({
    messageCount: activity.messageCount,
    updatedAt: Math.max(base.updatedAt, activity.updatedAt ?? 0),
    lastAuthorId: activity.lastAuthorId,
    lastRole: activity.lastRole,
    preview: activity.preview,
  })
  const same =
    next.messageCount === base.messageCount &&
    next.updatedAt === base.updatedAt &&
    next.lastAuthorId === base.lastAuthorId &&
    next.lastRole === base.lastRole &&
    next.preview === base.preview
  if (same) return true
  // The stored value is kept whole (fields of a newer version included); only the activity changes.
  const { lastAuthorId: _a, lastRole: _r, preview: _p, ...rest } = raw
  doc.transact(() => index.set(chatId, { ...rest, ...next }), origin)
  return true
}

/** The metadata fields an index entry is written from (a new chat, a converted or imported one). */
export type IndexEntryFields = Omit<StoredIndexEntry, 'pinned' | 'archived' | 'messageCount'> &
  Partial<Pick<StoredIndexEntry, 'pinned' | 'archived' | 'messageCount'>>

/**
 * Writes a new index entry's base under `fields.id`, with whatever edits
 * the fields carry folded in: edits stored under that id before (a chat
 * deleted while someone edited it, an old-layout entry being converted)
 * are removed, so they cannot override it. The caller runs it in a
 * transaction and has checked the id is free.
 */
export function writeIndexEntry(doc: Y.Doc, fields: IndexEntryFields): void {
  const { id, pinned, archived, ...rest } = fields
  deleteIndexEntry(doc, id)
  chatIndexRoot(doc).set(
    id,
    definedOnly({
      ...rest,
      messageCount: fields.messageCount ?? 0,
      pinned: pinned ? true : undefined,
      archived: archived ? true : undefined,
    }),
  )
}

/** An old-layout chat's metadata as index entry fields (for its conversion). */
export function indexFieldsOfLegacyChat(chat: StoredChat): IndexEntryFields {
  const { messages: _messages, ...fields } = chat
  return fields
}
