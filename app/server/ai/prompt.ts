import type { Chat, Message } from '../../../shared/doc'
import { AppError } from '../../../shared/errors'

/** One turn sent to the model. */
export interface PromptMessage {
  role: 'user' | 'assistant'
  content: string
}

export interface Prompt {
  system?: string
  messages: PromptMessage[]
  /** The person's message being answered. */
  question: Message
  /** A cautious count (about 4 characters a token), used to reserve quota before the call. */
  estimatedInputTokens: number
}

/**
 * About four characters a token for English text: cautious enough to reserve
 * against. The one rule for every estimate (prompts, unreported output, the
 * demo model's usage), so metering stays predictable offline.
 */
export const tokensForChars = (chars: number) => Math.ceil(chars / 4)
export const estimateTokens = (text: string) => tokensForChars(text.length)

/** Per-message framing the providers add (role markers): counted so trimming errs on the safe side. */
const MESSAGE_OVERHEAD_TOKENS = 4

/**
 * The conversation up to the question, as the model sees it: each earlier
 * question with its latest finished answer (earlier versions and failed or
 * empty answers are left out), then the question. The oldest turns are
 * dropped until it fits the model's context window with room for the
 * answer; the question itself always stays, and a question that alone does
 * not fit is refused.
 */
export function buildPrompt(
  chat: Chat,
  opts: { questionId?: string; instructions?: string; contextWindow: number; maxOutputTokens: number },
): Prompt {
  const questions = chat.messages.filter((m) => m.role === 'user')
  const question = opts.questionId
    ? chat.messages.find((m) => m.id === opts.questionId)
    : questions[questions.length - 1]
  if (!question) throw new AppError('NOT_FOUND', opts.questionId ? 'Message not found' : 'The chat has no question')
  if (question.role !== 'user') throw new AppError('BAD_REQUEST', 'Only a person’s message can be answered')

  const latestAnswer = new Map<string, Message>()
  for (const m of chat.messages) {
    if (m.role === 'assistant' && m.replyTo && m.content && (m.status === 'done' || m.status === 'stopped')) {
      latestAnswer.set(m.replyTo, m)
    }
  }
  const turns: PromptMessage[][] = []
  for (const m of chat.messages) {
    if (m.id === question.id) break
    if (m.role !== 'user') continue
    const answer = latestAnswer.get(m.id)
    turns.push([
      { role: 'user', content: m.content },
      ...(answer ? [{ role: 'assistant' as const, content: answer.content }] : []),
    ])
  }

  const cost = (ms: PromptMessage[]) => ms.reduce((n, m) => n + estimateTokens(m.content) + MESSAGE_OVERHEAD_TOKENS, 0)
  const system = opts.instructions?.trim() || undefined
  const fixed = (system ? estimateTokens(system) + MESSAGE_OVERHEAD_TOKENS : 0) + cost([asked(question)])
  const budget = opts.contextWindow - opts.maxOutputTokens
  if (fixed > budget) {
    throw new AppError('BAD_REQUEST', 'The message is too long for this model', {
      content: `At most about ${Math.max(0, budget * 4)} characters for this model`,
    })
  }
  let used = fixed
  const kept: PromptMessage[][] = []
  for (let i = turns.length - 1; i >= 0; i--) {
    const c = cost(turns[i])
    if (used + c > budget) break
    used += c
    kept.unshift(turns[i])
  }
  return { system, messages: [...kept.flat(), asked(question)], question, estimatedInputTokens: used }
}

const asked = (m: Message): PromptMessage => ({ role: 'user', content: m.content })

/** How a title is asked for (the demo model recognises it and answers with the question's first words). */
export const TITLE_INSTRUCTION = 'Write a title of at most six words for this conversation. Answer with the title only.'
