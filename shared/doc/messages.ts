import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import { chatRoomId, chatRoomMessages } from './chat-room'
import { type ChatEntry, type ChatMessages, chatsRoot, readChatEntry, requireChatMessages } from './chat-store'
import { docId, newId, timestamp } from './ids'
import { type DocOrigin, LOCAL_ORIGIN } from './origin'
import { type ReadOptions, readStored } from './read'
import { replaceText } from './y-text'

/** Who wrote a message: a person, a model, or the app (instructions, notices). */
export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const
/** One of `MESSAGE_ROLES`. */
export type MessageRole = (typeof MESSAGE_ROLES)[number]

/**
 * `pending`: waiting for the model's first token; `streaming`: tokens are
 * arriving; `done`, `error`, `stopped` (the user stopped it) are final.
 */
export const MESSAGE_STATUSES = ['pending', 'streaming', 'done', 'error', 'stopped'] as const
/** One of `MESSAGE_STATUSES`. */
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

/** Statuses after which a message no longer changes status, so a late writer cannot undo a stop. */
const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['done', 'error', 'stopped'])
/** Statuses of a message whose answer is still being written. */
export const OPEN_STATUSES: ReadonlySet<MessageStatus> = new Set(['pending', 'streaming'])

/** Longest message content accepted in one write. */
export const MAX_CONTENT_LENGTH = 200_000

const usageFields = {
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Cost in millionths of a currency unit, whole numbers so sums are exact. */
  costMicros: z.number().int().nonnegative().optional(),
}
const usage = z.strictObject(usageFields)
/** Stored usage may carry fields a newer app added; they are dropped, not a reason to hide the message. */
const storedUsage = z.object(usageFields)

/** Token counts (and cost) of one model answer. */
export type Usage = z.output<typeof usage>

const timingFields = {
  /** From the start of the request for the answer to the model's first text, ms. */
  firstTokenMs: z.number().int().nonnegative(),
  /** From the model's first text to the end of the answer, ms: with the output tokens, the answer's speed. */
  durationMs: z.number().int().nonnegative(),
}
const timing = z.strictObject(timingFields)
/** As with usage, fields a newer app added are dropped on read. */
const storedTiming = z.object(timingFields)

/** How long one model answer took to start and to write. */
export type Timing = z.output<typeof timing>

/** A message as readers return it: plain and validated, with `content` as a string. */
export interface Message {
  readonly id: string
  readonly role: MessageRole
  readonly authorId: string
  readonly content: string
  /** Milliseconds since the epoch. */
  readonly createdAt: number
  readonly status: MessageStatus
  /** Model id of an assistant message. */
  readonly model?: string
  readonly usage?: Usage
  /** Time to first token and writing time of an answer that produced text. */
  readonly timing?: Timing
  /** Why the message ended in `error`. */
  readonly error?: string
  /**
   * The person's message an answer replies to. A regenerated or re-asked
   * answer replies to the same message, so earlier answers stay as previous
   * versions; the latest one is the answer the conversation continues from.
   */
  readonly replyTo?: string
}

const storedMessage = z.object({
  id: z.string(),
  role: z.enum(MESSAGE_ROLES),
  authorId: z.string(),
  content: z.instanceof(Y.Text),
  createdAt: z.number(),
  status: z.enum(MESSAGE_STATUSES),
  model: z.string().optional(),
  usage: storedUsage.optional(),
  timing: storedTiming.optional(),
  error: z.string().optional(),
  replyTo: z.string().optional(),
})

/** A message as readers return it (`content` a string): the shape of a copy kept outside the doc. */
export const messageSchema = storedMessage.extend({ content: z.string() })

const modelId = z.string().trim().min(1, 'Required').max(128, 'Too long')
const errorReason = z.string().trim().min(1, 'Required').max(1000, 'Too long')
const content = z.string().max(MAX_CONTENT_LENGTH, `At most ${MAX_CONTENT_LENGTH} characters`)

/** An `error` reason belongs to, and is required by, the `error` status. */
function errorMatchesStatus(v: { status: MessageStatus; error?: string }, ctx: z.RefinementCtx) {
  if (v.status === 'error' && v.error === undefined) {
    ctx.addIssue({ code: 'custom', path: ['error'], message: 'A reason is required for status "error"' })
  }
  if (v.status !== 'error' && v.error !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['error'], message: 'Only a message in status "error" has a reason' })
  }
}

/** Input of `appendMessage`. */
export const appendMessageInput = z
  .strictObject({
    id: docId.optional(),
    role: z.enum(MESSAGE_ROLES),
    authorId: docId,
    content: content.default(''),
    createdAt: timestamp.optional(),
    /** A person's message is `done` at once; an answer starts `pending` or `streaming`. */
    status: z.enum(MESSAGE_STATUSES).default('done'),
    model: modelId.optional(),
    usage: usage.optional(),
    error: errorReason.optional(),
    replyTo: docId.optional(),
  })
  .superRefine(errorMatchesStatus)

/** What `appendMessage` accepts, before defaults. */
export type AppendMessageInput = z.input<typeof appendMessageInput>

/** Input of `setMessageStatus`. */
export const setMessageStatusInput = z
  .strictObject({
    status: z.enum(MESSAGE_STATUSES),
    error: errorReason.optional(),
    model: modelId.optional(),
    usage: usage.optional(),
    timing: timing.optional(),
  })
  .superRefine(errorMatchesStatus)

/** What `setMessageStatus` accepts. */
export type SetMessageStatusInput = z.input<typeof setMessageStatusInput>

const messageRef = z.strictObject({ chatId: docId, messageId: docId })

function toMessage(stored: z.output<typeof storedMessage>): Message {
  const { content, ...rest } = stored
  return { ...rest, content: content.toString() }
}

/**
 * Reads a chat's `messages` array in its order, which is the same on every
 * peer. Invalid entries are skipped and reported, as are repeated ids (only
 * the first counts), so a message id names one message.
 */
export function readMessages(messages: Y.Array<unknown>, arrayPath: string, options?: ReadOptions): Message[] {
  const out: Message[] = []
  const seen = new Set<string>()
  messages.forEach((raw, i) => {
    const path = `${arrayPath}/${i}`
    const stored = readStored(storedMessage, raw, path, options)
    if (!stored) return
    if (seen.has(stored.id)) {
      options?.onInvalid?.({ path, message: `id: repeats message "${stored.id}"` })
      return
    }
    seen.add(stored.id)
    out.push(toMessage(stored))
  })
  return out
}

interface MessageEntry {
  readonly map: Y.Map<unknown>
  readonly value: z.output<typeof storedMessage>
}

/**
 * The first readable message with this id, the same one `readMessages`
 * keeps, so a writer never edits a copy that readers hide.
 */
function findMessage(chat: ChatMessages, messageId: string): MessageEntry | undefined {
  for (const raw of chat.messages) {
    if (!(raw instanceof Y.Map) || raw.get('id') !== messageId) continue
    const value = readStored(storedMessage, raw, '', undefined)
    if (value) return { map: raw, value }
  }
  return undefined
}

function requireMessage(chat: ChatMessages, messageId: string): MessageEntry {
  const message = findMessage(chat, messageId)
  if (!message) throw new AppError('NOT_FOUND', 'Message not found')
  return message
}

/**
 * Moves an old-layout chat's `updatedAt` forward only, so a client with a slow clock
 * cannot sink an active chat. It is a last-writer-wins value: of two appends
 * made at the same moment on two peers, every peer keeps the same one, not
 * necessarily the later; the two times differ by the length of the race.
 */
export function touchChat(chat: ChatEntry, at: number): void {
  if (at > chat.value.updatedAt) chat.map.set('updatedAt', at)
}

/**
 * Appends a message to a chat and moves the chat's `updatedAt` to the
 * message's time. Throws `NOT_FOUND` for an unknown chat and `CONFLICT` when
 * the chat already has a message with that id.
 */
export function appendMessage(
  doc: Y.Doc,
  chatId: string,
  input: AppendMessageInput,
  origin: DocOrigin = LOCAL_ORIGIN,
): Message {
  const { chatId: cid } = parseInput(z.strictObject({ chatId: docId }), { chatId })
  const v = parseInput(appendMessageInput, input)
  const id = v.id ?? newId()
  const createdAt = v.createdAt ?? Date.now()
  doc.transact(() => {
    const chat = requireChatMessages(doc, cid)
    if (findMessage(chat, id)) throw new AppError('CONFLICT', 'A message with this id already exists')
    const map = new Y.Map<unknown>()
    map.set('id', id)
    map.set('role', v.role)
    map.set('authorId', v.authorId)
    map.set('content', new Y.Text(v.content))
    map.set('createdAt', createdAt)
    map.set('status', v.status)
    if (v.model !== undefined) map.set('model', v.model)
    if (v.usage !== undefined) map.set('usage', v.usage)
    if (v.error !== undefined) map.set('error', v.error)
    if (v.replyTo !== undefined) {
      if (!findMessage(chat, v.replyTo)) throw new AppError('NOT_FOUND', 'The message replied to is not in this chat')
      map.set('replyTo', v.replyTo)
    }
    chat.messages.push([map])
    chat.touch(createdAt)
  }, origin)
  return toMessage(requireMessage(requireChatMessages(doc, cid), id).value)
}

/**
 * Appends a piece of an answer to a message being written. A `pending`
 * message becomes `streaming` with its first piece. Throws `CONFLICT` when
 * the message is in a final status: the user stopped it, or the room closed
 * it, and the streamer should stop too.
 */
export function appendToContent(
  doc: Y.Doc,
  chatId: string,
  messageId: string,
  delta: string,
  origin: DocOrigin = LOCAL_ORIGIN,
): void {
  const ref = parseInput(messageRef, { chatId, messageId })
  const text = parseInput(z.strictObject({ delta: content }), { delta }).delta
  doc.transact(() => {
    const message = requireMessage(requireChatMessages(doc, ref.chatId), ref.messageId)
    if (!OPEN_STATUSES.has(message.value.status)) {
      throw new AppError('CONFLICT', `Message is ${message.value.status}, not streaming`)
    }
    if (message.value.status === 'pending') message.map.set('status', 'streaming')
    const target = message.value.content
    if (text) target.insert(target.length, text)
  }, origin)
}

/**
 * Rewrites a person's message (edit before asking again). Only `user`
 * messages are edited this way: an answer is the model's, and a new answer
 * is asked for instead, the old one staying as a previous version.
 */
export function editMessageContent(
  doc: Y.Doc,
  chatId: string,
  messageId: string,
  next: string,
  origin: DocOrigin = LOCAL_ORIGIN,
): Message {
  const ref = parseInput(messageRef, { chatId, messageId })
  const text = parseInput(z.strictObject({ content: content.min(1, 'Required') }), { content: next }).content
  doc.transact(() => {
    const message = requireMessage(requireChatMessages(doc, ref.chatId), ref.messageId)
    if (message.value.role !== 'user') throw new AppError('CONFLICT', 'Only a person’s message can be edited')
    replaceText(message.value.content, text)
  }, origin)
  return toMessage(requireMessage(requireChatMessages(doc, ref.chatId), ref.messageId).value)
}

/**
 * Sets a message's status, with the error reason (required for `error`) and
 * the model, usage and timing of a finished answer. A final status (`done`, `error`,
 * `stopped`) stays final: changing it throws `CONFLICT`, so an answer that
 * finishes after the user stopped it does not turn back into `done`; setting
 * the same final status again is allowed, to add usage.
 */
export function setMessageStatus(
  doc: Y.Doc,
  chatId: string,
  messageId: string,
  input: SetMessageStatusInput,
  origin: DocOrigin = LOCAL_ORIGIN,
): Message {
  const ref = parseInput(messageRef, { chatId, messageId })
  const v = parseInput(setMessageStatusInput, input)
  doc.transact(() => {
    const message = requireMessage(requireChatMessages(doc, ref.chatId), ref.messageId)
    const current = message.value.status
    if (FINAL_STATUSES.has(current) && current !== v.status) {
      throw new AppError('CONFLICT', `Message is already ${current}`)
    }
    writeStatus(message.map, v.status, v.error)
    if (v.model !== undefined) message.map.set('model', v.model)
    if (v.usage !== undefined) message.map.set('usage', v.usage)
    if (v.timing !== undefined) message.map.set('timing', v.timing)
  }, origin)
  return toMessage(requireMessage(requireChatMessages(doc, ref.chatId), ref.messageId).value)
}

function writeStatus(map: Y.Map<unknown>, status: MessageStatus, error: string | undefined) {
  map.set('status', status)
  if (error !== undefined) map.set('error', error)
  else if (map.has('error')) map.delete('error')
}

/** A message closed by `closeStaleMessages`. */
export interface ClosedMessage {
  readonly chatId: string
  readonly messageId: string
}

/** Input of `closeStaleMessages`. */
export const closeStaleMessagesInput = z.strictObject({
  /** Shown to the users as the message's error. */
  reason: errorReason,
  /** Only messages created before this time (ms); omit to close all. */
  createdBefore: timestamp.optional(),
})

/** What `closeStaleMessages` accepts. */
export type CloseStaleMessagesInput = z.input<typeof closeStaleMessagesInput>

/**
 * Ends every `pending` or `streaming` message in the doc with status `error`
 * and the given reason. For room load: an answer is written by one server
 * process, and a room loaded afresh has no such process, so an open message
 * would spin forever. Where another node may still be streaming into the
 * room (several sync nodes), pass `createdBefore` (now minus the longest an
 * answer may take) so only abandoned messages are closed. Returns what it closed.
 */
export function closeStaleMessages(
  doc: Y.Doc,
  input: CloseStaleMessagesInput,
  origin: DocOrigin = LOCAL_ORIGIN,
): ClosedMessage[] {
  const v = parseInput(closeStaleMessagesInput, input)
  const closed: ClosedMessage[] = []
  const closeIn = (chatId: string, messages: Y.Array<unknown>) =>
    messages.forEach((m) => {
      const message = readStored(storedMessage, m, '', undefined)
      if (!message || !OPEN_STATUSES.has(message.status)) return
      if (v.createdBefore !== undefined && message.createdAt >= v.createdBefore) return
      writeStatus(m as Y.Map<unknown>, 'error', v.reason)
      closed.push({ chatId, messageId: message.id })
    })
  doc.transact(() => {
    const roomOf = chatRoomId(doc)
    if (roomOf !== null) closeIn(roomOf, chatRoomMessages(doc))
    chatsRoot(doc).forEach((raw, key) => {
      const chat = readChatEntry(key, raw)
      if (chat) closeIn(key, chat.value.messages)
    })
  }, origin)
  return closed
}

/** Whether any message of the chat is still being written (a move waits for it). */
export function hasOpenMessage(chat: ChatMessages): boolean {
  return readMessages(chat.messages, chat.path).some((m) => OPEN_STATUSES.has(m.status))
}
