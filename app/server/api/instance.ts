import { getAuth } from '../../../db/auth'
import { getDatabase } from '../../../db/client'
import { serverEnv } from '../../../db/env'
import { createApiHandler, type ApiHandler } from './router'

const API_KEY = Symbol.for('workspaces.api')
type ApiHolder = { [API_KEY]?: Promise<ApiHandler> }

/** The process's API handler over the process's database and auth. */
export function getApiHandler(): Promise<ApiHandler> {
  const holder = globalThis as ApiHolder
  holder[API_KEY] ??= (async () => {
    const { db } = await getDatabase()
    return createApiHandler({ db, auth: await getAuth(), env: serverEnv() })
  })()
  return holder[API_KEY]
}
