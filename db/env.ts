import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

/**
 * The server's environment, checked once at start-up. A bad or missing
 * variable stops the process with a message naming it.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** postgres://… selects PostgreSQL; unset selects embedded PGlite in DATA_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().default('./.data'),
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BETTER_AUTH_URL: z.url('must be an absolute URL such as http://localhost:3000').optional(),
  /** Extra origins allowed to call the auth API (comma-separated). */
  TRUSTED_ORIGINS: z.string().optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_FROM: z.string().default('Workspaces <no-reply@workspaces.local>'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  /** An OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp, LM Studio), e.g. http://127.0.0.1:11434/v1. */
  OPENAI_BASE_URL: z.url('must be an absolute URL such as https://api.openai.com/v1').optional(),
  OPENAI_API_KEY: z.string().optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  /** Only to point the Anthropic client elsewhere (a proxy, or a local test server). */
  ANTHROPIC_BASE_URL: z.url('must be an absolute URL such as https://api.anthropic.com/v1').optional(),
  /** The model used when neither chat, sidekiq, member nor workspace picked one (a catalog id such as openai:llama3.2). */
  AI_DEFAULT_MODEL: z.string().optional(),
  /** Longest a model call may take before it ends the answer with an error, ms. */
  AI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(120_000),
  /** Turns billing on; with it, the other STRIPE_* variables below (but STRIPE_API_URL) are required. */
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_WEBHOOK_SECRET: z.string().optional(),
  /** Stripe price ids of the plans' subscriptions (the team price is per seat). */
  STRIPE_PRICE_PRO: z.string().optional(),
  STRIPE_PRICE_TEAM: z.string().optional(),
  /** The metered price billing overage, attached to the meter STRIPE_METER_EVENT_NAME. */
  STRIPE_PRICE_OVERAGE: z.string().optional(),
  STRIPE_METER_EVENT_NAME: z.string().default('workspace_model_usage'),
  /** Only to point the Stripe client elsewhere (a local test server). */
  STRIPE_API_URL: z.url('must be an absolute URL such as http://127.0.0.1:12111').optional(),
})

/** With STRIPE_SECRET_KEY, billing needs all of these. */
const STRIPE_REQUIRED = [
  'STRIPE_WEBHOOK_SECRET',
  'STRIPE_PRICE_PRO',
  'STRIPE_PRICE_TEAM',
  'STRIPE_PRICE_OVERAGE',
] as const

export type ServerEnv = z.infer<typeof envSchema> & { BETTER_AUTH_SECRET: string; BETTER_AUTH_URL: string }

export class EnvError extends Error {}

/** Empty strings count as unset, as in most deploy tools. */
function withoutEmpty(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((e): e is [string, string] => !!e[1]))
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  const result = envSchema.safeParse(withoutEmpty(source))
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`)
  }
  const env = result.data
  if (env.STRIPE_SECRET_KEY) {
    const missing = STRIPE_REQUIRED.filter((name) => !env[name])
    if (missing.length) {
      throw new EnvError(
        `Invalid environment:\n${missing.map((name) => `  ${name}: required when STRIPE_SECRET_KEY is set`).join('\n')}`,
      )
    }
  }
  if (!env.BETTER_AUTH_SECRET && env.NODE_ENV === 'production') {
    throw new EnvError('Invalid environment:\n  BETTER_AUTH_SECRET: required in production (32+ random characters)')
  }
  return {
    ...env,
    BETTER_AUTH_SECRET: env.BETTER_AUTH_SECRET ?? devSecret(env.DATA_DIR),
    BETTER_AUTH_URL: env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`,
  }
}

/** Outside production a generated secret is kept on disk so sessions survive restarts. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'auth-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}

const ENV_KEY = Symbol.for('workspaces.env')
type EnvHolder = { [ENV_KEY]?: ServerEnv }

/** The validated environment, parsed on first use and shared by every bundle in the process. */
export function serverEnv(): ServerEnv {
  const holder = globalThis as EnvHolder
  return (holder[ENV_KEY] ??= parseEnv())
}
