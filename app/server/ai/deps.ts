import type { Db } from '../../../db/client'
import type { ServerEnv } from '../../../db/env'
import type { SyncServer } from '../../../sync-server'
import { GenerationRegistry, type GenerationDeps } from './generation'
import { createModelProvider } from './providers'
import { createRateLimiter } from './rate-limit'

/** Requests for answers one member may make per minute in one workspace. */
export const ANSWERS_PER_MINUTE = 30

/** Everything an AI answer needs, from the environment: providers, limits, the sync server's rooms. */
export function createGenerationDeps(opts: {
  db: Db
  env: ServerEnv
  sync: Pick<SyncServer, 'openRoom'>
  /** Tests shorten the demo model's pauses and the limits. */
  demoDelayMs?: number
  answersPerMinute?: number
}): GenerationDeps {
  const { env } = opts
  return {
    db: opts.db,
    sync: opts.sync,
    models: createModelProvider(env, { demoDelayMs: opts.demoDelayMs }),
    limiter: createRateLimiter({ limit: opts.answersPerMinute ?? ANSWERS_PER_MINUTE, windowMs: 60_000 }),
    registry: new GenerationRegistry(),
    timeoutMs: env.AI_TIMEOUT_MS,
    // An answer that fails after its 202 has no caller left to tell: the log is where it shows.
    logger: {
      warn: (msg, data) => console.warn(JSON.stringify({ level: 'warn', service: 'ai', msg, ...data })),
    },
    fallbackModel: env.AI_DEFAULT_MODEL ?? null,
  }
}
