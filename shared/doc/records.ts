import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import {
  type ChatActivity,
  chatActivity,
  chatIndexRoot,
  findIndexEntry,
  recordChatActivity,
  writeIndexEntry,
} from './chat-index'
import { chatRoomId, chatRoomMessages, openChatRoom } from './chat-room'
import { chatsRoot } from './chat-store'
import { type Chat, getChat, listChats } from './chats'
import { docId, timestamp } from './ids'
import { MAX_CONTENT_LENGTH, MESSAGE_ROLES, MESSAGE_STATUSES, OPEN_STATUSES, readMessages } from './messages'
import type { DocOrigin } from './origin'
import {
  type Sidekiq,
  MAX_CONVERSATION_STARTERS,
  MAX_SIDEKIQ_NAME_LENGTH,
  freeSidekiqName,
  getSidekiq,
  listSidekiqs,
  sidekiqAvatarInput,
  SIDEKIQS_KEY,
} from './sidekiqs'

/**
 * Chats and sidekiqs as plain records: what an export file carries and what
 * an import writes back, ids and times included. Writing a record is
 * idempotent, so an interrupted import can simply run again.
 */

const usageRecord = z.strictObject({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  costMicros: z.number().int().nonnegative().optional(),
})

const timingRecord = z.strictObject({
  firstTokenMs: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
})

/** A message as a record. */
export const messageRecord = z
  .strictObject({
    id: docId,
    role: z.enum(MESSAGE_ROLES),
    authorId: docId,
    content: z.string().max(MAX_CONTENT_LENGTH, `At most ${MAX_CONTENT_LENGTH} characters`),
    createdAt: timestamp,
    status: z.enum(MESSAGE_STATUSES),
    model: z.string().trim().min(1).max(128).optional(),
    usage: usageRecord.optional(),
    timing: timingRecord.optional(),
    error: z.string().max(1000).optional(),
    replyTo: docId.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.status === 'error' && m.error === undefined)
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'A reason is required for status "error"' })
    if (m.status !== 'error' && m.error !== undefined)
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'Only a message in status "error" has a reason' })
  })

/** A message record as written (after parsing). */
export type MessageRecord = z.output<typeof messageRecord>

/** A chat with its messages as a record. */
export const chatRecord = z
  .strictObject({
    id: docId,
    title: z.string().max(200),
    createdBy: docId,
    createdAt: timestamp,
    updatedAt: timestamp,
    sidekiqId: docId.optional(),
    sidekiqName: z.string().trim().min(1).max(MAX_SIDEKIQ_NAME_LENGTH).optional(),
    model: z.string().trim().min(1).max(128).optional(),
    pinned: z.boolean(),
    archived: z.boolean(),
    messages: z.array(messageRecord),
  })
  .superRefine((chat, ctx) => {
    const seen = new Set<string>()
    chat.messages.forEach((m, i) => {
      if (seen.has(m.id)) ctx.addIssue({ code: 'custom', path: ['messages', i, 'id'], message: 'Repeats a message id' })
      else if (m.replyTo !== undefined && !seen.has(m.replyTo))
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i, 'replyTo'],
          message: 'Must name an earlier message of the chat',
        })
      seen.add(m.id)
    })
  })

/** A chat record as written (after parsing). */
export type ChatRecord = z.output<typeof chatRecord>

/** A sidekiq as a record. */
export const sidekiqRecord = z.strictObject({
  id: docId,
  name: z.string().trim().min(1).max(MAX_SIDEKIQ_NAME_LENGTH),
  description: z.string().max(500),
  instructions: z.string().max(20_000),
  conversationStarters: z.array(z.string().trim().min(1).max(200)).max(MAX_CONVERSATION_STARTERS),
  model: z.string().trim().min(1).max(128),
  avatar: sidekiqAvatarInput,
  favorite: z.boolean(),
  createdBy: docId,
  createdAt: timestamp,
  updatedAt: timestamp,
})

/** A sidekiq record as written (after parsing). */
export type SidekiqRecord = z.output<typeof sidekiqRecord>

/**
 * A chat as a record: its metadata from its entry in `index`, its messages
 * from `room` (the chat's own room) or, for a chat still in the old layout,
 * from beside its entry. `null` when the index lists no readable chat by
 * that id. The activity the index carries (count, preview) is not part of a
 * record: it is computed again from the messages wherever the record lands.
 */
export function chatToRecord(index: Y.Doc, chatId: string, room?: Y.Doc | null): ChatRecord | null {
  const chat: Chat | null = getChat(index, chatId, room)
  if (!chat) return null
  return {
    id: chat.id,
    title: chat.title,
    createdBy: chat.createdBy,
    createdAt: chat.createdAt,
    updatedAt: chat.updatedAt,
    ...(chat.sidekiqId !== undefined ? { sidekiqId: chat.sidekiqId } : {}),
    ...(chat.sidekiqName !== undefined ? { sidekiqName: chat.sidekiqName } : {}),
    ...(chat.model !== undefined ? { model: chat.model } : {}),
    pinned: chat.pinned,
    archived: chat.archived,
    messages: chat.messages.map((m) => ({ ...m })),
  }
}

/** A sidekiq of the doc as a record; `null` when absent or unreadable. */
export function sidekiqToRecord(doc: Y.Doc, sidekiqId: string): SidekiqRecord | null {
  const sidekiq: Sidekiq | null = getSidekiq(doc, sidekiqId)
  return sidekiq ? { ...sidekiq, conversationStarters: [...sidekiq.conversationStarters] } : null
}

/** What writing a chat record changed. */
export interface ImportedChat {
  /** The index did not list the chat and now does. */
  readonly created: boolean
  /** Messages added to the chat's room, the new chat's included. */
  readonly addedMessages: number
}

const INTERRUPTED = 'The answer was interrupted.'

function messageMap(m: MessageRecord): Y.Map<unknown> {
  const map = new Y.Map<unknown>()
  map.set('id', m.id)
  map.set('role', m.role)
  map.set('authorId', m.authorId)
  map.set('content', new Y.Text(m.content))
  map.set('createdAt', m.createdAt)
  // Nothing is writing a restored answer any more: an open one is ended.
  if (OPEN_STATUSES.has(m.status)) {
    map.set('status', 'error')
    map.set('error', INTERRUPTED)
  } else {
    map.set('status', m.status)
    if (m.error !== undefined) map.set('error', m.error)
  }
  if (m.model !== undefined) map.set('model', m.model)
  if (m.usage !== undefined) map.set('usage', m.usage)
  if (m.timing !== undefined) map.set('timing', m.timing)
  if (m.replyTo !== undefined) map.set('replyTo', m.replyTo)
  return map
}

/** Parses a chat record, refusing it with the path of what is wrong (`BAD_REQUEST`). */
export function parseChatRecord(record: z.input<typeof chatRecord>): ChatRecord {
  return parseInput(chatRecord, record)
}

/**
 * Throws `CONFLICT` when the index holds something under the chat's id that
 * is not a readable chat: a record with that id cannot be written there.
 * For a caller that writes the chat's room before its index entry.
 */
export function assertChatImportable(index: Y.Doc, chatId: string) {
  const taken = chatIndexRoot(index).has(chatId) || chatsRoot(index).has(chatId)
  if (taken && !findIndexEntry(index, chatId)) throw new AppError('CONFLICT', 'The id is taken by an unreadable chat')
}

/**
 * Step 1 of writing a chat record: the messages of the record that the
 * chat's room lacks (by id) are appended to it, in the record's order, in
 * one transaction; the room is marked as the chat's first. Returns how many
 * it added: none the second time. Throws `CONFLICT` when the room belongs
 * to another chat.
 */
export function importChatMessages(room: Y.Doc, record: z.input<typeof chatRecord>, origin: DocOrigin): number {
  const v = parseChatRecord(record)
  const owner = chatRoomId(room)
  if (owner !== null && owner !== v.id) throw new AppError('CONFLICT', 'The room belongs to another chat')
  const have = new Set((owner === null ? [] : readMessages(chatRoomMessages(room), 'messages')).map((m) => m.id))
  const missing = v.messages.filter((m) => !have.has(m.id))
  if (owner !== null && !missing.length) return 0
  room.transact(() => {
    openChatRoom(room, v.id, origin)
    if (missing.length) chatRoomMessages(room).push(missing.map(messageMap))
  }, origin)
  return missing.length
}

/**
 * Step 2 of writing a chat record: lists the chat in the index, with the
 * record's metadata and the activity of its room (`chatActivity` of the
 * room after step 1), in one transaction. A chat the index lists already
 * keeps everything people may have changed since (title, pins); only its
 * activity is brought up to date. One still in the old layout is listed
 * with its own metadata, as its conversion would. Returns whether it
 * listed the chat; writing the same entry again changes nothing.
 */
export function importChatEntry(
  index: Y.Doc,
  record: z.input<typeof chatRecord>,
  activity: ChatActivity,
  origin: DocOrigin,
): boolean {
  const v = parseChatRecord(record)
  assertChatImportable(index, v.id)
  const entry = findIndexEntry(index, v.id)
  if (entry && !entry.legacy) {
    recordChatActivity(index, v.id, activity, origin)
    return false
  }
  const { messages: _messages, ...fields } = v
  // An old-layout entry read as an entry carries the edits newer clients made to it.
  const metadata = entry ? entry.value : fields
  index.transact(() => {
    writeIndexEntry(index, {
      ...metadata,
      ...activity,
      updatedAt: Math.max(metadata.updatedAt, activity.updatedAt ?? 0),
    })
  }, origin)
  return !entry
}

/**
 * Writes a chat record into an index room and the chat's own room, ids and
 * times kept: the messages the room lacks (by id) go into the room, then
 * the chat is listed in the index with its room's activity (see
 * `importChatMessages` and `importChatEntry`, for a caller that writes the
 * two rooms as separate stored changes). A chat already listed keeps what
 * it has; writing the same record twice changes nothing the second time.
 * Throws `CONFLICT` when the id is taken by something that is not a
 * readable chat, before anything is written.
 */
export function importChat(
  index: Y.Doc,
  room: Y.Doc,
  record: z.input<typeof chatRecord>,
  origin: DocOrigin,
): ImportedChat {
  const v = parseChatRecord(record)
  assertChatImportable(index, v.id)
  const addedMessages = importChatMessages(room, v, origin)
  const created = importChatEntry(index, v, chatActivity(room, v.id) ?? { messageCount: 0 }, origin)
  return { created, addedMessages }
}

/**
 * Writes a sidekiq record in one transaction when the doc has no sidekiq
 * with its id; one already there is left as it is (returns `false`). A name
 * another sidekiq holds gets a number ("Writer (2)"), as names are unique
 * in a workspace. Returns whether it wrote.
 */
export function importSidekiq(doc: Y.Doc, record: z.input<typeof sidekiqRecord>, origin: DocOrigin): boolean {
  const v = parseInput(sidekiqRecord, record)
  const root = doc.getMap<unknown>(SIDEKIQS_KEY)
  if (root.has(v.id)) return false
  doc.transact(() => {
    const map = new Y.Map<unknown>()
    map.set('id', v.id)
    map.set('name', freeSidekiqName(doc, v.name))
    map.set('description', v.description)
    map.set('instructions', new Y.Text(v.instructions))
    map.set('conversationStarters', Y.Array.from([...v.conversationStarters]))
    map.set('model', v.model)
    map.set('avatar', v.avatar)
    map.set('favorite', v.favorite)
    map.set('createdBy', v.createdBy)
    map.set('createdAt', v.createdAt)
    map.set('updatedAt', v.updatedAt)
    root.set(v.id, map)
  }, origin)
  return true
}

/**
 * Every readable chat listed in the index room as records, by id; each
 * chat's messages from `roomOf(chatId)` (its room, when the caller has it)
 * or, for one in the old layout, from beside its entry.
 */
export function chatRecords(index: Y.Doc, roomOf: (chatId: string) => Y.Doc | null = () => null): ChatRecord[] {
  return listChats(index)
    .map((c) => c.id)
    .sort()
    .flatMap((id) => chatToRecord(index, id, roomOf(id)) ?? [])
}

/** Every readable sidekiq of the doc as records, by id. */
export function sidekiqRecords(doc: Y.Doc): SidekiqRecord[] {
  return listSidekiqs(doc)
    .map((s) => ({ ...s, conversationStarters: [...s.conversationStarters] }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
