import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import { chatsRoot, findChat, readChatEntry } from './chat-store'
import { type Chat, getChat } from './chats'
import { docId, timestamp } from './ids'
import { MAX_CONTENT_LENGTH, MESSAGE_ROLES, MESSAGE_STATUSES, OPEN_STATUSES, readMessages, touchChat } from './messages'
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

/** A chat of the doc as a record; `null` when absent or unreadable. */
export function chatToRecord(doc: Y.Doc, chatId: string): ChatRecord | null {
  const chat: Chat | null = getChat(doc, chatId)
  if (!chat) return null
  const { messages, ...summary } = chat
  return { ...summary, messages: messages.map((m) => ({ ...m })) }
}

/** A sidekiq of the doc as a record; `null` when absent or unreadable. */
export function sidekiqToRecord(doc: Y.Doc, sidekiqId: string): SidekiqRecord | null {
  const sidekiq: Sidekiq | null = getSidekiq(doc, sidekiqId)
  return sidekiq ? { ...sidekiq, conversationStarters: [...sidekiq.conversationStarters] } : null
}

/** What writing a chat record changed. */
export interface ImportedChat {
  /** The chat was not in the doc and was written whole. */
  readonly created: boolean
  /** Messages added, the new chat's included. */
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

/**
 * Writes a chat record in one transaction. A chat not in the doc is written
 * whole, with its ids, times and flags. A chat already there keeps
 * everything it has (its people may have changed it since); only messages
 * whose ids it lacks are appended, in the record's order. Writing the same
 * record twice changes nothing the second time. Throws `CONFLICT` when the
 * id is taken by something that is not a readable chat.
 */
export function importChat(doc: Y.Doc, record: z.input<typeof chatRecord>, origin: DocOrigin): ImportedChat {
  const v = parseInput(chatRecord, record)
  let result: ImportedChat = { created: false, addedMessages: 0 }
  doc.transact(() => {
    const root = chatsRoot(doc)
    const existing = findChat(doc, v.id)
    if (!existing) {
      if (root.has(v.id)) throw new AppError('CONFLICT', 'The id is taken by an unreadable chat')
      const map = new Y.Map<unknown>()
      map.set('id', v.id)
      map.set('title', v.title)
      map.set('createdBy', v.createdBy)
      map.set('createdAt', v.createdAt)
      map.set('updatedAt', v.updatedAt)
      if (v.sidekiqId !== undefined) map.set('sidekiqId', v.sidekiqId)
      if (v.sidekiqName !== undefined) map.set('sidekiqName', v.sidekiqName)
      if (v.model !== undefined) map.set('model', v.model)
      map.set('pinned', v.pinned)
      map.set('archived', v.archived)
      map.set('messages', Y.Array.from(v.messages.map(messageMap)))
      root.set(v.id, map)
      result = { created: true, addedMessages: v.messages.length }
      return
    }
    const have = new Set(readMessages(existing.value.messages, '').map((m) => m.id))
    const missing = v.messages.filter((m) => !have.has(m.id))
    if (!missing.length) return
    existing.value.messages.push(missing.map(messageMap))
    touchChat(existing, Math.max(...missing.map((m) => m.createdAt)))
    result = { created: false, addedMessages: missing.length }
  }, origin)
  return result
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

/** Every readable chat of the doc as records, by id. */
export function chatRecords(doc: Y.Doc): ChatRecord[] {
  const out: ChatRecord[] = []
  chatsRoot(doc).forEach((raw, key) => {
    if (readChatEntry(key, raw)) {
      const record = chatToRecord(doc, key)
      if (record) out.push(record)
    }
  })
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Every readable sidekiq of the doc as records, by id. */
export function sidekiqRecords(doc: Y.Doc): SidekiqRecord[] {
  return listSidekiqs(doc)
    .map((s) => ({ ...s, conversationStarters: [...s.conversationStarters] }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
