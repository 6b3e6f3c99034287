import { createAnthropic } from '@ai-sdk/anthropic'
import { createOpenAI } from '@ai-sdk/openai'
import type { LanguageModelV4 } from '@ai-sdk/provider'
import type { ServerEnv } from '../../../db/env'
import { AppError } from '../../../shared/errors'
import type { ModelEntry } from '../../../shared/models'
import { createDemoModel } from './demo-model'

export type ProviderEnv = Pick<
  ServerEnv,
  'OPENAI_BASE_URL' | 'OPENAI_API_KEY' | 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL'
>

export interface ModelProvider {
  /** Whether this server can call the entry's provider; the demo model always can. */
  isAvailable(entry: ModelEntry): boolean
  /** The AI SDK model for an entry; refuses one whose provider is not configured. */
  languageModel(entry: ModelEntry): LanguageModelV4
}

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'

// Local servers (Ollama, llama.cpp) need no key, but the OpenAI client refuses to run without one.
const KEYLESS_PLACEHOLDER = 'no-key'

/**
 * Maps catalog entries to AI SDK models, from the environment passed in
 * (never from process.env, so tests and the server see the same rules).
 */
export function createModelProvider(env: ProviderEnv, options: { demoDelayMs?: number } = {}): ModelProvider {
  const openAIConfigured = !!(env.OPENAI_BASE_URL || env.OPENAI_API_KEY)
  const anthropicConfigured = !!env.ANTHROPIC_API_KEY

  // The Chat Completions client, not `openai(id)`: that targets the Responses API, which
  // OpenAI-compatible servers lack. It also asks for usage when streaming by itself, and
  // maps OpenAI's reasoning models (max_completion_tokens, developer role) where needed.
  const openai = openAIConfigured
    ? createOpenAI({
        baseURL: env.OPENAI_BASE_URL ?? OPENAI_DEFAULT_BASE_URL,
        apiKey: env.OPENAI_API_KEY ?? KEYLESS_PLACEHOLDER,
      })
    : null
  const anthropic = anthropicConfigured
    ? createAnthropic({ apiKey: env.ANTHROPIC_API_KEY, baseURL: env.ANTHROPIC_BASE_URL })
    : null
  const demo = createDemoModel({ delayMs: options.demoDelayMs })

  const isAvailable = (entry: ModelEntry): boolean => {
    switch (entry.provider) {
      case 'openai':
        return openAIConfigured
      case 'anthropic':
        return anthropicConfigured
      case 'demo':
        return true
    }
  }

  return {
    isAvailable,
    languageModel(entry) {
      if (entry.provider === 'demo') return demo
      if (entry.provider === 'openai' && openai) return openai.chat(entry.providerModel)
      if (entry.provider === 'anthropic' && anthropic) return anthropic.messages(entry.providerModel)
      throw new AppError('BAD_REQUEST', `Model ${entry.id} is not available on this server`)
    },
  }
}
