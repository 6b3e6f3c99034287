import { getAuth } from '../../../db/auth'
import { getDatabase } from '../../../db/client'
import { serverEnv } from '../../../db/env'
import { getRevocationBus } from '../../../db/revocations'
import { getProcessSyncServer } from '../../../sync-server'
import { createGenerationDeps } from '../ai/deps'
import { createBillingDeps } from '../billing/deps'
import { startBillingWorker } from '../billing/worker'
import { createApiHandler, type ApiHandler } from './router'

const API_KEY = Symbol.for('workspaces.api')
type ApiHolder = { [API_KEY]?: Promise<ApiHandler> }

/** The process's API handler over the process's database, auth and sync server. */
export function getApiHandler(): Promise<ApiHandler> {
  const holder = globalThis as ApiHolder
  holder[API_KEY] ??= (async () => {
    const { db } = await getDatabase()
    const env = serverEnv()
    const sync = await getProcessSyncServer()
    const ai = createGenerationDeps({ db, env, sync })
    const billing = createBillingDeps(db, env)
    if (billing) startBillingWorker(billing)
    return createApiHandler({
      db,
      auth: await getAuth(),
      env,
      revocations: getRevocationBus(env.REDIS_URL),
      sync,
      ai,
      billing,
    })
  })()
  return holder[API_KEY]
}
