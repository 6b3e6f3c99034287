import { getAuth } from '../../../db/auth'
import { getDatabase } from '../../../db/client'
import { serverEnv } from '../../../db/env'
import { getRevocationBus } from '../../../db/revocations'
import { createApiHandler, type ApiHandler } from './router'

const API_KEY = Symbol.for('workspaces.api')
type ApiHolder = { [API_KEY]?: Promise<ApiHandler> }

/** The process's API handler over the process's database and auth. */
export function getApiHandler(): Promise<ApiHandler> {
  const holder = globalThis as ApiHolder
  holder[API_KEY] ??= (async () => {
    const { db } = await getDatabase()
    const env = serverEnv()
    return createApiHandler({ db, auth: await getAuth(), env, revocations: getRevocationBus(env.REDIS_URL) })
  })()
  return holder[API_KEY]
}
