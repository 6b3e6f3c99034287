import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4FinishReason,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider'
import { TITLE_INSTRUCTION, tokensForChars } from './prompt'

/**
 * The built-in offline model: a real AI SDK language model, so the whole
 * generate path (streaming into the room, abort, metering) runs on a machine
 * with no provider configured. Its answer says plainly that it is not an AI.
 */
export const DEMO_LABEL = '(Demo model — no AI provider is configured on this server.)'

export interface DemoModelOptions {
  /** Pause between streamed chunks, so the UI shows an answer arriving. 0 in tests. */
  delayMs?: number
}

const ECHO_LIMIT = 280
const WORDS_PER_CHUNK = 3

export function createDemoModel(options: DemoModelOptions = {}): LanguageModelV4 {
  const delayMs = options.delayMs ?? 30
  return {
    specificationVersion: 'v4',
    provider: 'demo',
    modelId: 'demo',
    supportedUrls: {},
    async doGenerate(call) {
      call.abortSignal?.throwIfAborted()
      const { text, finishReason } = answer(call)
      return {
        content: [{ type: 'text', text }],
        finishReason,
        usage: usage(call.prompt, text),
        warnings: [],
      }
    },
    async doStream(call) {
      const { text, finishReason } = answer(call)
      const chunks = chunk(text)
      const signal = call.abortSignal
      let sent = ''
      let cancelled = false
      const stream = new ReadableStream<LanguageModelV4StreamPart>({
        async start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: [] })
          controller.enqueue({ type: 'text-start', id: 'demo' })
          for (const [i, delta] of chunks.entries()) {
            if (i > 0 && delayMs > 0) await sleep(delayMs, signal)
            if (cancelled) return
            // An abort ends the stream quietly, without a finish: the caller owns the abort and its accounting.
            if (signal?.aborted) return controller.close()
            sent += delta
            controller.enqueue({ type: 'text-delta', id: 'demo', delta })
          }
          controller.enqueue({ type: 'text-end', id: 'demo' })
          controller.enqueue({ type: 'finish', finishReason, usage: usage(call.prompt, sent) })
          controller.close()
        },
        cancel() {
          cancelled = true
        },
      })
      return { stream }
    },
  }
}

function answer(call: LanguageModelV4CallOptions): { text: string; finishReason: LanguageModelV4FinishReason } {
  const asked = lastUserText(call.prompt)
  if (asked.startsWith(TITLE_INSTRUCTION)) {
    // A title: the question's first words, not the demo label.
    const question = /Question: (.*?)(?: Answer:|$)/.exec(asked)?.[1] ?? ''
    const title = question
      .split(' ')
      .slice(0, 6)
      .join(' ')
      .replace(/[?.!,;:]+$/, '')
    return { text: title || 'New chat', finishReason: { unified: 'stop', raw: 'stop' } }
  }
  const echo = asked.length > ECHO_LIMIT ? `${asked.slice(0, ECHO_LIMIT).trimEnd()}…` : asked
  const full = echo
    ? `${DEMO_LABEL} You wrote: “${echo}” Configure OPENAI_BASE_URL, OPENAI_API_KEY or ANTHROPIC_API_KEY for real answers.`
    : `${DEMO_LABEL} There was no message to answer.`
  // Honouring maxOutputTokens keeps the demo inside the quota reserved for the call.
  const limit = call.maxOutputTokens === undefined ? Infinity : call.maxOutputTokens * 4
  return full.length > limit
    ? { text: full.slice(0, limit), finishReason: { unified: 'length', raw: 'length' } }
    : { text: full, finishReason: { unified: 'stop', raw: 'stop' } }
}

function lastUserText(prompt: LanguageModelV4Prompt): string {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]
    if (message.role !== 'user') continue
    const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join(' ')
    return text.replace(/\s+/g, ' ').trim()
  }
  return ''
}

function promptChars(prompt: LanguageModelV4Prompt): number {
  let chars = 0
  for (const message of prompt) {
    if (message.role === 'system') chars += message.content.length
    else
      for (const part of message.content)
        if (part.type === 'text' || part.type === 'reasoning') chars += part.text.length
  }
  return chars
}

function usage(prompt: LanguageModelV4Prompt, output: string): LanguageModelV4Usage {
  const input = tokensForChars(promptChars(prompt))
  const out = tokensForChars(output.length)
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: out, text: out, reasoning: 0 },
  }
}

/** Splits into a few words per chunk, keeping the spaces so the chunks join back exactly. */
function chunk(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [text]
  const chunks: string[] = []
  for (let i = 0; i < words.length; i += WORDS_PER_CHUNK) chunks.push(words.slice(i, i + WORDS_PER_CHUNK).join(''))
  return chunks
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
