import { streamText } from 'ai'
import { z } from 'zod'
import { authorizeRoom, authorizeSessionRoom } from '../../../db/access'
import type { Db } from '../../../db/client'
import { recordUsage, reserveQuota } from '../../../db/usage'
import type { RoomHold, SyncServer } from '../../../sync-server'
import { can } from '../../../shared/capabilities'
import {
  clientState,
  getChatMessages,
  getSidekiq,
  serverOrigin,
  setMessageStatus,
  type Chat,
  type Sidekiq,
} from '../../../shared/doc'
import { docId } from '../../../shared/doc/ids'
import { AppError, notFound } from '../../../shared/errors'
import { costMicros, estimateMaxCostMicros, resolveModelId, type ModelEntry } from '../../../shared/models'
import { sharedRoom } from '../../../shared/rooms'
import { chatRoomsOf, type ChatRooms } from '../chat-rooms'
import { buildPrompt, estimateTokens, type Prompt } from './prompt'
import type { ModelProvider } from './providers'
import type { RateLimiter } from './rate-limit'
import { createAnswerWriter, type WriterClosed } from './answer-writer'
import { openChatToAnswer } from './chat-to-answer'
import { generateChatTitle } from './title'

export const generateInput = z.strictObject({
  /** The chat's room (`w/<ws>/c/<chat>`, `w/<ws>/u/<user>/c/<chat>`), or the index room listing it (older clients). */
  room: z.string().min(1, 'Required').max(200),
  chatId: docId,
  /** The person's message to answer; the chat's latest question when absent. */
  messageId: docId.optional(),
  /**
   * Idempotency key chosen by the client: a retried request with the same id
   * starts nothing and records nothing again. It is also the answer's message id.
   */
  generationId: docId.optional(),
  /**
   * The asking client's own edits of the chat's room up to the question:
   * the question travels over the websocket and this request over HTTP, so
   * the server waits for it (briefly) rather than answer an older text.
   */
  after: clientState.optional(),
})
export type GenerateInput = z.output<typeof generateInput>

export interface GenerationDeps {
  db: Db
  sync: Pick<SyncServer, 'openRoom'>
  models: ModelProvider
  limiter: RateLimiter
  registry: GenerationRegistry
  /** Longest a model call may run, ms. */
  timeoutMs: number
  /** Below the workspace's default model, above the built-in one (AI_DEFAULT_MODEL). */
  fallbackModel?: string | null
  logger?: { warn(msg: string, data?: Record<string, unknown>): void }
}

/** Answers streaming in this process, by message id, so a stop request can end them at once. */
export class GenerationRegistry {
  private readonly running = new Map<
    string,
    { room: string; chatId: string; controller: AbortController; done: Promise<void> }
  >()

  register(
    messageId: string,
    where: { room: string; chatId: string },
    controller: AbortController,
    done: Promise<void>,
  ) {
    this.running.set(messageId, { ...where, controller, done })
    void done.finally(() => {
      if (this.running.get(messageId)?.controller === controller) this.running.delete(messageId)
    })
  }

  /**
   * Stops an answer running here in that room and chat; resolves once it has
   * ended (usage recorded), or false when no such answer runs here.
   */
  async stop(messageId: string, where: { room: string; chatId: string }): Promise<boolean> {
    const entry = this.running.get(messageId)
    if (!entry || entry.room !== where.room || entry.chatId !== where.chatId) return false
    entry.controller.abort(STOPPED)
    await entry.done
    return true
  }

  /** Every answer running here has ended (for shutdown and tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((e) => e.done))
  }

  get size() {
    return this.running.size
  }
}

const STOPPED = 'stopped'
const AI = serverOrigin('ai-answer')
/** The longest answer asked for; a model with a small window gets a quarter of it. */
const MAX_OUTPUT_TOKENS = 4096

export interface StartedGeneration {
  messageId: string
  generationId: string
  model: string
  /** `exists`: this generation id was used before; nothing new was started. */
  status: 'started' | 'exists'
  /** Resolves when the answer has ended and its usage is recorded (tests, benches). */
  done: Promise<void>
}

/**
 * Starts an AI answer to a question in a chat: checks who asks (the one
 * access check, on the chat's room), holds the quota, writes a pending
 * answer into the chat's room, and streams the model's text into it in the
 * background. The chat's metadata (model, sidekiq, title) is read from its
 * index room; the sync server writes the chat's activity there from the
 * room. Throws NOT_FOUND for anything the caller may not see (another
 * workspace, someone else's private chat, an unknown chat), FORBIDDEN for
 * a viewer, RATE_LIMITED and QUOTA_EXCEEDED.
 */
export async function startGeneration(
  deps: GenerationDeps,
  caller: { sessionToken: string },
  workspaceId: string,
  input: GenerateInput,
): Promise<StartedGeneration> {
  // Time to first token counts from here: the checks, the quota and the room are part of the wait people feel.
  const requestedAt = performance.now()
  const rooms = chatRoomsOf(input.room, input.chatId, workspaceId)
  const access = await authorizeSessionRoom(deps.db, caller.sessionToken, rooms.chat).catch((error: unknown) => {
    throw error instanceof AppError ? notFound('Chat') : error
  })
  if (!access) throw new AppError('UNAUTHORIZED', 'Sign in first')
  const { userId } = access
  if (!access.canWrite || !can(access.role, 'budget:spend')) {
    throw new AppError('FORBIDDEN', `Your role (${access.role}) may not ask the AI in this workspace`)
  }
  if (!deps.limiter.take(`${workspaceId}:${userId}`)) {
    throw new AppError('RATE_LIMITED', 'Too many requests: wait a moment and ask again')
  }

  const generationId = input.generationId ?? crypto.randomUUID()
  const holds: RoomHold[] = []
  const releaseAll = () => holds.splice(0).forEach((h) => h.release())
  try {
    const { chat, room, index } = await openChatToAnswer(deps.sync, rooms, input.after, holds)
    const earlier = chat.messages.find((m) => m.id === generationId)
    if (earlier) {
      releaseAll()
      const model = earlier.model ?? ''
      return { messageId: generationId, generationId, model, status: 'exists', done: Promise.resolve() }
    }
    const sidekiq = await readSidekiq(deps, chat, rooms, index, holds)
    const defaults = access.defaultModels
    const model = resolveModelId(
      {
        chat: chat.model,
        sidekiq: sidekiq?.model,
        member: defaults.member,
        workspace: defaults.workspace ?? deps.fallbackModel,
      },
      deps.models.isAvailable,
    )
    const maxOutputTokens = Math.min(MAX_OUTPUT_TOKENS, Math.floor(model.contextWindow / 4))
    const prompt = buildPrompt(chat, {
      questionId: input.messageId,
      instructions: sidekiq?.instructions,
      contextWindow: model.contextWindow,
      maxOutputTokens,
    })
    const reserved = await reserveQuota(deps.db, {
      generationId,
      workspaceId,
      userId,
      amountMicros: estimateMaxCostMicros(model, prompt.estimatedInputTokens, maxOutputTokens),
      ttlMs: deps.timeoutMs + 60_000,
    })
    if (reserved.status === 'exists') {
      releaseAll()
      return { messageId: generationId, generationId, model: model.id, status: 'exists', done: Promise.resolve() }
    }
    // The model is called now; the answer appears in the room with its first
    // words (or as pending, if the model is slow to start): see answer-writer.
    const controller = new AbortController()
    const isFirstAnswer = !chat.title && !chat.messages.some((m) => m.role === 'assistant')
    const job = {
      room,
      chat,
      prompt,
      model,
      maxOutputTokens,
      generationId,
      workspaceId,
      userId,
      controller,
      requestedAt,
    }
    const answered = streamAnswer(deps, job)
    const done = answered
      .then(async () => {
        if (isFirstAnswer) {
          await generateChatTitle(deps, {
            room,
            index,
            chatId: chat.id,
            model,
            workspaceId,
            userId,
            answerId: generationId,
          })
        }
      })
      .catch((error: unknown) => deps.logger?.warn('answer failed', { generationId, error: String(error) }))
      .finally(releaseAll)
    deps.registry.register(generationId, { room: rooms.chat, chatId: chat.id }, controller, done)
    return { messageId: generationId, generationId, model: model.id, status: 'started', done }
  } catch (error) {
    releaseAll()
    throw error
  }
}

/** The chat's sidekiq, read from the workspace's shared room (where sidekiqs live), if it still exists. */
async function readSidekiq(
  deps: GenerationDeps,
  chat: Chat,
  rooms: ChatRooms,
  index: RoomHold,
  holds: RoomHold[],
): Promise<Sidekiq | null> {
  if (!chat.sidekiqId) return null
  const shared = sharedRoom(rooms.workspaceId)
  if (rooms.index === shared) return getSidekiq(index.room.doc, chat.sidekiqId)
  const sharedHold = await deps.sync.openRoom(shared, rooms.workspaceId)
  holds.push(sharedHold)
  return getSidekiq(sharedHold.room.doc, chat.sidekiqId)
}

interface StreamJob {
  /** The chat's own room. */
  room: RoomHold
  chat: Chat
  prompt: Prompt
  model: ModelEntry
  maxOutputTokens: number
  generationId: string
  workspaceId: string
  userId: string
  controller: AbortController
  /** When the request for the answer started (`performance.now()`). */
  requestedAt: number
}

/** Why an answer ended before the model finished, as the abort reason of its controller. */
const ENDED_BY: Record<WriterClosed, string> = { closed: STOPPED, full: 'room-full', gone: 'room-gone' }
const REASONS: Record<string, string> = {
  'room-full': 'This chat is full: it has reached its size limit. Start a new chat to go on.',
  'room-gone': 'The chat was deleted or moved while the answer was being written.',
}

/**
 * Streams the model's answer into the chat's room and records what it
 * cost, once, whatever the ending: done, stopped (by the user, here or
 * through the document from another node), a provider error or timeout, a
 * chat room that filled up (the text up to the limit stays, the answer ends
 * in error saying why) or was deleted.
 */
async function streamAnswer(deps: GenerationDeps, job: StreamJob): Promise<void> {
  const { room, chat, prompt, model, generationId, controller } = job
  const startedAt = new Date()
  const writer = createAnswerWriter(
    room.room,
    { chatId: chat.id, messageId: generationId, authorId: job.userId, model: model.id, replyTo: prompt.question.id },
    AI,
    (why) => controller.abort(ENDED_BY[why]),
  )
  const timeout = AbortSignal.timeout(deps.timeoutMs)
  let reported: { inputTokens?: number; outputTokens?: number } = {}
  let failure: string | null = null
  try {
    const result = streamText({
      model: deps.models.languageModel(model),
      system: prompt.system,
      messages: prompt.messages,
      maxOutputTokens: job.maxOutputTokens,
      maxRetries: 0,
      abortSignal: AbortSignal.any([controller.signal, timeout]),
      // An HTTP error before any text ends the stream quietly and reaches only
      // here; without a handler the SDK also logs it to the console.
      onError: ({ error }) => {
        failure ??= describeProviderError(error)
      },
    })
    for await (const part of result.stream) {
      if (part.type === 'text-delta') writer.push(part.text)
      else if (part.type === 'finish-step' || part.type === 'finish') {
        const usage = part.type === 'finish' ? part.totalUsage : part.usage
        reported = { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens }
      } else if (part.type === 'error') {
        failure ??= describeProviderError(part.error)
        break
      }
    }
  } catch (error) {
    // A connection lost mid-stream throws here; the text before the cut is kept.
    failure ??= describeProviderError(error)
  }
  const timing = answerTiming(job.requestedAt, writer.firstTextAt, performance.now())
  // Rejects when the answer could not be stored at all (the database is
  // unreachable): nothing to show, and the reservation expires by itself.
  await writer.flush()
  const endedBy = controller.signal.aborted ? String(controller.signal.reason) : null
  const roomEnded = endedBy !== null ? REASONS[endedBy] : undefined
  const stopped = endedBy !== null && !roomEnded
  const timedOut = endedBy === null && timeout.aborted
  const outcome = stopped ? 'stopped' : roomEnded || timedOut || failure ? 'error' : 'done'
  const reason = roomEnded ?? (timedOut ? 'The model took too long to answer.' : (failure ?? undefined))
  // What the provider reported; where it reported nothing (a stop before its
  // last chunk), the prompt as estimated and the text as received.
  const inputTokens =
    reported.inputTokens ?? (writer.length > 0 || outcome === 'done' ? prompt.estimatedInputTokens : 0)
  const outputTokens = reported.outputTokens ?? estimateTokens(writer.text)
  const cost = costMicros(model, { inputTokens, outputTokens })
  await room.room
    .applyServerChange(
      (doc) =>
        setMessageStatus(
          doc,
          chat.id,
          generationId,
          {
            status: outcome,
            ...(outcome === 'error' ? { error: reason ?? 'The model failed to answer.' } : {}),
            model: model.id,
            usage: { inputTokens, outputTokens, costMicros: cost },
            ...(timing ? { timing } : {}),
          },
          AI,
        ),
      // The few bytes that end the answer go in even into a full room: otherwise it would spin on.
      { evenIfFull: true },
    )
    // Already final: stopped through the document (another node's stop request) or closed as abandoned;
    // or the room is gone (the chat deleted or moved), or never got the message (full from the start).
    .catch(() => undefined)
  await recordUsage(deps.db, {
    generationId,
    workspaceId: job.workspaceId,
    userId: job.userId,
    chatId: chat.id,
    kind: 'answer',
    model: model.id,
    inputTokens,
    outputTokens,
    costMicros: cost,
    startedAt,
    endedAt: new Date(),
    outcome: outcome === 'stopped' ? 'stopped' : outcome,
  })
}

/**
 * Time to first token and writing time of an answer, whole ms; none for an
 * answer that never produced text (nothing to measure a speed on).
 */
function answerTiming(requestedAt: number, firstTextAt: number | null, endedAt: number) {
  if (firstTextAt === null) return null
  return {
    firstTokenMs: Math.max(0, Math.round(firstTextAt - requestedAt)),
    durationMs: Math.max(0, Math.round(endedAt - firstTextAt)),
  }
}

/** A reason a person can act on; provider internals stay in the logs. */
function describeProviderError(error: unknown): string {
  const status = (error as { statusCode?: unknown })?.statusCode
  if (status === 401 || status === 403) return 'The AI provider refused the server’s credentials.'
  if (status === 429) return 'The AI provider is rate limiting this server; try again shortly.'
  if (typeof status === 'number' && status >= 500) return 'The AI provider is having trouble; try again shortly.'
  if (error instanceof Error && error.name === 'TimeoutError') return 'The model took too long to answer.'
  return 'The AI provider could not be reached or answered with an error.'
}

export const stopInput = z.strictObject({ room: z.string().min(1, 'Required').max(200), chatId: docId })
export type StopInput = z.output<typeof stopInput>

/**
 * Stops an answer being written. Running in this process, it is aborted at
 * once and its usage recorded before this returns; running elsewhere (or
 * nowhere, its process gone), the message is stopped in the chat's room,
 * which the process writing it sees at its next write. Who may ask for
 * answers in a chat may stop them. `room` is the chat's room, or the index
 * room listing it (older clients). Returns the message's status afterwards.
 */
export async function stopGeneration(
  deps: GenerationDeps,
  userId: string,
  workspaceId: string,
  messageId: string,
  input: StopInput,
): Promise<{ status: string }> {
  const rooms = (() => {
    try {
      return chatRoomsOf(input.room, input.chatId, workspaceId)
    } catch {
      throw notFound('Message')
    }
  })()
  const access = await authorizeRoom(deps.db, userId, rooms.chat).catch((error: unknown) => {
    throw error instanceof AppError ? notFound('Message') : error
  })
  if (!access.canWrite) throw new AppError('FORBIDDEN', `Your role (${access.role}) may not stop answers`)
  // Running here: ended at once, even before its first words reached the room.
  if (await deps.registry.stop(messageId, { room: rooms.chat, chatId: rooms.chatId })) return { status: 'stopped' }
  const hold = await deps.sync.openRoom(rooms.chat, workspaceId)
  try {
    const message = () => getChatMessages(hold.room.doc, rooms.chatId)?.find((m) => m.id === messageId)
    const found = message()
    if (!found || found.role !== 'assistant') throw notFound('Message')
    if (found.status === 'pending' || found.status === 'streaming') {
      await hold.room
        .applyServerChange((doc) => setMessageStatus(doc, rooms.chatId, messageId, { status: 'stopped' }, AI), {
          evenIfFull: true,
        })
        .catch((error: unknown) => {
          // Ended on its own in the meantime: its final status stands.
          if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error
        })
    }
    return { status: message()?.status ?? 'stopped' }
  } finally {
    hold.release()
  }
}
