import type { Message } from '../../shared/doc'

/**
 * A chat as it reads on screen: each person's message followed by the
 * answers to it (a regenerated answer is appended to the chat but belongs
 * after its question; the earlier ones stay as previous versions), and
 * any other message where it stands.
 */
export type ThreadEntry =
  | { readonly kind: 'question'; readonly message: Message; readonly answers: readonly Message[] }
  | { readonly kind: 'message'; readonly message: Message }

export function threadOf(messages: readonly Message[]): ThreadEntry[] {
  const questions = new Set(messages.filter((m) => m.role === 'user').map((m) => m.id))
  const answersTo = new Map<string, Message[]>()
  for (const m of messages) {
    if (m.role !== 'assistant' || !m.replyTo || !questions.has(m.replyTo)) continue
    const list = answersTo.get(m.replyTo) ?? []
    list.push(m)
    answersTo.set(m.replyTo, list)
  }
  const out: ThreadEntry[] = []
  for (const m of messages) {
    if (m.role === 'user') out.push({ kind: 'question', message: m, answers: answersTo.get(m.id) ?? [] })
    else if (!(m.role === 'assistant' && m.replyTo && questions.has(m.replyTo)))
      out.push({ kind: 'message', message: m })
  }
  return out
}

/** The chat's last question, whose answer the conversation continues from. */
export function lastQuestion(entries: readonly ThreadEntry[]): Message | null {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]
    if (entry.kind === 'question') return entry.message
  }
  return null
}
