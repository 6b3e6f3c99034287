import type { Auth } from '../../../db/auth'
import type { Db } from '../../../db/client'
import type { ServerEnv } from '../../../db/env'
import type { RevocationBus } from '../../../db/revocations'
import type { SyncServer } from '../../../sync-server'
import type { GenerationDeps } from '../ai/generation'
import type { BillingDeps } from '../billing/deps'

/** What every API handler gets: the database, auth and environment of this process (or of a test). */
export interface ApiContext {
  db: Db
  auth: Auth
  env: ServerEnv
  revocations: RevocationBus
  /**
   * The sync server's rooms, for server changes to them (an imported
   * sidekiq) and moves of chats between them. Absent where no sync server runs.
   */
  sync?: Pick<SyncServer, 'openRoom' | 'moveChat'>
  /** AI answers: the sync server's rooms, the model providers, the limits. Absent where no sync server runs. */
  ai?: GenerationDeps
  /** Stripe billing; null or absent when this server has no Stripe keys (billing not configured). */
  billing?: BillingDeps | null
}
