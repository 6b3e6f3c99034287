import { generateText } from 'ai'
import { recordUsage, releaseReservation, reserveQuota } from '../../../db/usage'
import type { RoomHold } from '../../../sync-server'
import { getChat, nameUntitledChat, serverOrigin } from '../../../shared/doc'
import { AppError } from '../../../shared/errors'
import { costMicros, estimateMaxCostMicros, type ModelEntry } from '../../../shared/models'
import type { GenerationDeps } from './generation'
import { estimateTokens, TITLE_INSTRUCTION } from './prompt'

const TITLE_MAX_OUTPUT_TOKENS = 24
const TITLE_ORIGIN = serverOrigin('ai-title')

/**
 * Names a chat after its first answer, metered like any call (its own
 * generation id, derived from the answer's, so a retry is not billed twice).
 * A title is a nicety: over quota or on a provider error the chat simply
 * stays untitled, and a title someone typed meanwhile is kept.
 */
export async function generateChatTitle(
  deps: Pick<GenerationDeps, 'db' | 'models' | 'timeoutMs'>,
  job: {
    /** The chat's own room, where its messages are. */
    room: RoomHold
    /** The index room listing the chat, where its title is. */
    index: RoomHold
    chatId: string
    model: ModelEntry
    workspaceId: string
    userId: string
    answerId: string
  },
): Promise<void> {
  const chat = getChat(job.index.room.doc, job.chatId, job.room.room.doc)
  if (!chat || chat.title) return
  const conversation = chat.messages
    .filter((m) => m.content && (m.role === 'user' || m.status === 'done'))
    .slice(0, 2)
    .map((m) => `${m.role === 'user' ? 'Question' : 'Answer'}: ${m.content.slice(0, 2000)}`)
    .join('\n\n')
  if (!conversation) return
  const prompt = `${TITLE_INSTRUCTION}\n\n${conversation}`
  const generationId = `${job.answerId}.title`
  const inputTokens = estimateTokens(prompt)
  try {
    const reserved = await reserveQuota(deps.db, {
      generationId,
      workspaceId: job.workspaceId,
      userId: job.userId,
      amountMicros: estimateMaxCostMicros(job.model, inputTokens, TITLE_MAX_OUTPUT_TOKENS),
      ttlMs: deps.timeoutMs + 60_000,
    })
    if (reserved.status === 'exists') return
  } catch (error) {
    if (error instanceof AppError && error.code === 'QUOTA_EXCEEDED') return
    throw error
  }
  const startedAt = new Date()
  let text = ''
  let usage = { inputTokens: 0, outputTokens: 0 }
  let outcome: 'done' | 'error' = 'done'
  try {
    const result = await generateText({
      model: deps.models.languageModel(job.model),
      prompt,
      maxOutputTokens: TITLE_MAX_OUTPUT_TOKENS,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(deps.timeoutMs),
    })
    text = result.text
    usage = { inputTokens: result.usage.inputTokens ?? inputTokens, outputTokens: result.usage.outputTokens ?? 0 }
  } catch {
    outcome = 'error'
  }
  if (outcome === 'error' && usage.inputTokens === 0 && usage.outputTokens === 0) {
    await releaseReservation(deps.db, generationId)
    return
  }
  await recordUsage(deps.db, {
    generationId,
    workspaceId: job.workspaceId,
    userId: job.userId,
    chatId: job.chatId,
    kind: 'title',
    model: job.model.id,
    ...usage,
    costMicros: costMicros(job.model, usage),
    startedAt,
    endedAt: new Date(),
    outcome,
  })
  const title = cleanTitle(text)
  if (!title) return
  // Into the chat's index entry (decision 021), where every sidebar reads it.
  await job.index.room.applyServerChange((doc) => {
    // Someone may have named it while the model was thinking, or deleted it: theirs wins.
    nameUntitledChat(doc, job.chatId, title, TITLE_ORIGIN)
  })
}

/** One line, no quotes or trailing period, at most 80 characters. */
export function cleanTitle(text: string): string {
  const line = text.split('\n').find((l) => l.trim()) ?? ''
  return line
    .trim()
    .replace(/^["'“”‘’*#\s]+|["'“”‘’*.\s]+$/g, '')
    .slice(0, 80)
    .trim()
}
