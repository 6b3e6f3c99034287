import type { z } from 'zod'
import { MAX_CONTENT_LENGTH, MAX_SIDEKIQ_NAME_LENGTH, type chatRecord, type messageRecord } from '../../shared/doc'
import { costMicros, findModel } from '../../shared/models'
import { docSafeId } from './ids'
import type { LegacyMessage, LegacySidekiq, LegacyThread } from './legacy-rows'
import { catalogModel } from './models'
import { clip, type SidekiqPlan } from './plan-sidekiqs'

type MessageInput = z.input<typeof messageRecord>

/** A usage event for a recorded answer: history, written straight to the table, never billed. */
export interface UsagePlan {
  id: string
  userId: string
  chatId: string
  model: string
  inputTokens: number
  outputTokens: number
  costMicros: number
  at: Date
}

export interface ChatPlan {
  legacyThreadId: string
  /** The thread's person: the chat goes to their private room in their personal workspace. */
  userId: string
  record: z.input<typeof chatRecord> & { messages: MessageInput[] }
  usage: UsagePlan[]
  /** Message texts cut to MAX_CONTENT_LENGTH. */
  cut: number
}

export interface ChatContext {
  /** The thread's person in the target. */
  userId: string
  /** Legacy sidekiqs by id, for the name a chat keeps. */
  legacySidekiqs: Map<string, LegacySidekiq>
  /** Where each imported sidekiq landed, by legacy id. */
  sidekiqs: Map<string, SidekiqPlan>
}

const time = (d: Date) => d.getTime()

/**
 * A thread and its messages as a chat record. Messages keep their order
 * (time, then id), text, role, model and tokens; the person who asked is
 * the author of every message, as our app records an answer's author. A
 * parent that is an earlier question of the thread becomes `replyTo`.
 */
export function planChat(thread: LegacyThread, messages: LegacyMessage[], ctx: ChatContext): ChatPlan {
  const chatId = docSafeId('chat', thread.id)
  const ordered = [...messages].sort((a, b) => time(a.created_at) - time(b.created_at) || (a.id < b.id ? -1 : 1))
  const questions = new Map<string, string>()
  const usage: UsagePlan[] = []
  let cut = 0
  const records: MessageInput[] = ordered.map((m) => {
    const id = docSafeId('message', m.id)
    const model = catalogModel(m.model)
    const entry = model ? findModel(model) : null
    const hasTokens = m.input_tokens !== null || m.output_tokens !== null
    const tokens = { inputTokens: m.input_tokens ?? 0, outputTokens: m.output_tokens ?? 0 }
    const cost = entry ? costMicros(entry, tokens) : undefined
    const rawModel = m.model?.trim().slice(0, 128) || undefined
    const record: MessageInput = {
      id,
      role: m.role,
      authorId: ctx.userId,
      content: clip(m.content, MAX_CONTENT_LENGTH, () => cut++),
      createdAt: time(m.created_at),
      status: 'done',
      // A model the catalog lacks is kept by its old name: it says who answered.
      ...((model ?? rawModel) ? { model: model ?? rawModel } : {}),
      ...(hasTokens ? { usage: { ...tokens, ...(cost !== undefined ? { costMicros: cost } : {}) } } : {}),
      ...(m.parent_message_id && questions.has(m.parent_message_id)
        ? { replyTo: questions.get(m.parent_message_id) }
        : {}),
    }
    if (m.role === 'user') questions.set(m.id, id)
    if (m.role === 'assistant' && hasTokens) {
      usage.push({
        id: `legacy:${id}`,
        userId: ctx.userId,
        chatId,
        model: model ?? rawModel ?? 'unknown',
        ...tokens,
        costMicros: cost ?? 0,
        at: m.created_at,
      })
    }
    return record
  })

  const landed = thread.sidekiq_id ? ctx.sidekiqs.get(thread.sidekiq_id) : undefined
  // A chat may name only a sidekiq of its own workspace; the name stays either way.
  const sameWorkspace = landed?.target.kind === 'personal' && landed.target.userId === ctx.userId
  const legacyName = thread.sidekiq_id ? ctx.legacySidekiqs.get(thread.sidekiq_id)?.name : undefined
  const sidekiqName = (legacyName ?? thread.deleted_sidekiq_name ?? '').trim().slice(0, MAX_SIDEKIQ_NAME_LENGTH).trim()
  const model = catalogModel(thread.active_model)
  return {
    legacyThreadId: thread.id,
    userId: ctx.userId,
    record: {
      id: chatId,
      title: (thread.title ?? '').trim().slice(0, 200),
      createdBy: ctx.userId,
      createdAt: time(thread.created_at),
      updatedAt: time(thread.last_activity_at ?? thread.updated_at),
      ...(sameWorkspace ? { sidekiqId: String(landed.record.id) } : {}),
      ...(sidekiqName ? { sidekiqName } : {}),
      ...(model ? { model } : {}),
      pinned: thread.is_pinned ?? false,
      archived: thread.is_archived ?? false,
      messages: records,
    },
    usage,
    cut,
  }
}

/**
 * Where to cut a chat's messages so no single stored update grows past
 * `maxBytes` of text (or `maxMessages` messages): the ends of the prefixes
 * to write one after another. Most chats are one write.
 */
export function chunkEnds(messages: { content: string }[], maxBytes: number, maxMessages: number): number[] {
  const ends: number[] = []
  let bytes = 0
  let count = 0
  messages.forEach((m, i) => {
    const size = Buffer.byteLength(m.content)
    if (count > 0 && (bytes + size > maxBytes || count >= maxMessages)) {
      ends.push(i)
      bytes = 0
      count = 0
    }
    bytes += size
    count++
  })
  ends.push(messages.length)
  return ends
}
