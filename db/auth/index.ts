import { getDatabase } from '../client'
import { serverEnv } from '../env'
import { getRevocationBus } from '../revocations'
import { createAuth, type Auth } from './auth'

const AUTH_KEY = Symbol.for('workspaces.auth')
type AuthHolder = { [AUTH_KEY]?: Promise<Auth> }

/** The process-wide better-auth instance over the process-wide database. */
export function getAuth(): Promise<Auth> {
  const holder = globalThis as AuthHolder
  holder[AUTH_KEY] ??= getDatabase().then(({ db }) =>
    createAuth(db, serverEnv(), getRevocationBus(serverEnv().REDIS_URL)),
  )
  return holder[AUTH_KEY]
}

export type { Auth }
