import { z } from 'zod'
import { AppError } from './errors'

/**
 * The model catalog as data. Prices are integers in micro-units of currency
 * per million tokens, so metering never touches floating point.
 */
export type ModelProviderId = 'openai' | 'anthropic' | 'demo'

export interface ModelEntry {
  /** Catalog id stored in chats, sidekiqs and settings, e.g. `openai:gpt-4o-mini`. */
  id: string
  provider: ModelProviderId
  /** The model name sent to the provider. */
  providerModel: string
  label: string
  /** Tokens the model accepts, prompt and answer together. */
  contextWindow: number
  inputMicrosPerMillion: number
  outputMicrosPerMillion: number
}

export interface TokenCounts {
  inputTokens: number
  outputTokens: number
}

/** The built-in offline model: always available, so every path works on a fresh machine. */
export const DEMO_MODEL_ID = 'demo'

const OPENAI_PREFIX = 'openai:'

/**
 * Local OpenAI-compatible servers (Ollama, llama.cpp, vLLM) serve whatever
 * they have loaded, so an unknown `openai:` name is accepted with a small
 * context window nobody can overrun and no price we could not justify.
 */
const OPEN_MODEL_CONTEXT_WINDOW = 8192

export const MODELS: readonly ModelEntry[] = [
  {
    id: 'openai:gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini',
    label: 'GPT-4o mini',
    contextWindow: 128_000,
    inputMicrosPerMillion: 150_000,
    outputMicrosPerMillion: 600_000,
  },
  {
    id: 'openai:gpt-4.1-mini',
    provider: 'openai',
    providerModel: 'gpt-4.1-mini',
    label: 'GPT-4.1 mini',
    contextWindow: 1_047_576,
    inputMicrosPerMillion: 400_000,
    outputMicrosPerMillion: 1_600_000,
  },
  {
    id: 'openai:gpt-4o',
    provider: 'openai',
    providerModel: 'gpt-4o',
    label: 'GPT-4o',
    contextWindow: 128_000,
    inputMicrosPerMillion: 2_500_000,
    outputMicrosPerMillion: 10_000_000,
  },
  {
    id: 'anthropic:claude-3-5-haiku-latest',
    provider: 'anthropic',
    providerModel: 'claude-3-5-haiku-latest',
    label: 'Claude 3.5 Haiku',
    contextWindow: 200_000,
    inputMicrosPerMillion: 800_000,
    outputMicrosPerMillion: 4_000_000,
  },
  {
    id: 'anthropic:claude-sonnet-4-0',
    provider: 'anthropic',
    providerModel: 'claude-sonnet-4-0',
    label: 'Claude Sonnet 4',
    contextWindow: 200_000,
    inputMicrosPerMillion: 3_000_000,
    outputMicrosPerMillion: 15_000_000,
  },
  {
    id: DEMO_MODEL_ID,
    provider: 'demo',
    providerModel: 'demo',
    label: 'Demo (offline)',
    contextWindow: 32_000,
    // Small but not zero, so quota and metering can be seen working without a provider.
    inputMicrosPerMillion: 100_000,
    outputMicrosPerMillion: 200_000,
  },
]

/** What the built-in default falls back through, cheapest capable model first; `demo` ends it. */
const DEFAULT_PREFERENCE = ['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', DEMO_MODEL_ID] as const

const byId = new Map(MODELS.map((m) => [m.id, m]))

// Wide enough for Ollama and Hugging Face names (`hf.co/org/model:Q4_K_M`), nothing that needs escaping.
const MODEL_ID_PATTERN = /^[A-Za-z0-9._:/@+-]{1,200}$/

/** A model id as accepted at a boundary: catalog ids and `openai:<name>` for local servers. */
export const modelIdInput = z.string().trim().regex(MODEL_ID_PATTERN, 'Not a model id')

/** The catalog entry for an id, a synthesised entry for `openai:<any name>`, or null. */
export function findModel(id: string): ModelEntry | null {
  const known = byId.get(id)
  if (known) return known
  if (!id.startsWith(OPENAI_PREFIX) || !MODEL_ID_PATTERN.test(id)) return null
  const name = id.slice(OPENAI_PREFIX.length)
  if (!name) return null
  return {
    id,
    provider: 'openai',
    providerModel: name,
    label: name,
    contextWindow: OPEN_MODEL_CONTEXT_WINDOW,
    inputMicrosPerMillion: 0,
    outputMicrosPerMillion: 0,
  }
}

/** Catalog models whose provider is configured, for a model picker. */
export function listModels(available: (entry: ModelEntry) => boolean): ModelEntry[] {
  return MODELS.filter(available)
}

export interface ModelChoices {
  chat?: string | null
  sidekiq?: string | null
  member?: string | null
  workspace?: string | null
}

/**
 * The model a call uses: chat > sidekiq > member default > workspace default
 * > built-in default. A choice that is unknown, or whose provider this server
 * lacks, is skipped rather than failing, so a chat pinned to a model stays
 * usable on a machine without that key.
 */
export function resolveModelId(choices: ModelChoices, available: (entry: ModelEntry) => boolean): ModelEntry {
  for (const id of [choices.chat, choices.sidekiq, choices.member, choices.workspace, ...DEFAULT_PREFERENCE]) {
    const entry = id ? findModel(id) : null
    if (entry && (entry.provider === 'demo' || available(entry))) return entry
  }
  // Unreachable while DEFAULT_PREFERENCE ends with the demo model, which is never skipped.
  throw new AppError('INTERNAL', 'No model available')
}

function assertTokenCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError('INTERNAL', `${name} must be a non-negative integer, got ${value}`)
  }
}

/**
 * What a call cost, in micro-units, rounded up so metering never
 * undercharges. BigInt keeps it exact for any token count.
 */
export function costMicros(model: ModelEntry, usage: TokenCounts): number {
  assertTokenCount('inputTokens', usage.inputTokens)
  assertTokenCount('outputTokens', usage.outputTokens)
  const scaled =
    BigInt(usage.inputTokens) * BigInt(model.inputMicrosPerMillion) +
    BigInt(usage.outputTokens) * BigInt(model.outputMicrosPerMillion)
  const million = 1_000_000n
  return Number((scaled + million - 1n) / million)
}

/** The most a call may cost, reserved against the quota before the call starts. */
export function estimateMaxCostMicros(model: ModelEntry, inputTokens: number, maxOutputTokens: number): number {
  return costMicros(model, { inputTokens, outputTokens: maxOutputTokens })
}
