import { getAuth } from '../db/auth'
import { getDatabase } from '../db/client'
import { serverEnv } from '../db/env'
import { getRevocationBus } from '../db/revocations'
import { createRedisFanout } from './fanout'
import { jsonLogger } from './logger'
import { createSyncServer, type SyncServer } from './server'

const NODE_KEY = Symbol.for('workspaces.sync-server')
type NodeHolder = { [NODE_KEY]?: Promise<SyncServer> }

/**
 * This process's sync server over its database, auth and environment: Redis
 * fan-out and cross-node revocations when REDIS_URL is set.
 */
export function getProcessSyncServer(): Promise<SyncServer> {
  const holder = globalThis as NodeHolder
  holder[NODE_KEY] ??= (async () => {
    const env = serverEnv()
    const { db, logWriter } = await getDatabase()
    return createSyncServer({
      db,
      logWriter,
      auth: await getAuth(),
      revocations: getRevocationBus(env.REDIS_URL),
      fanout: env.REDIS_URL ? createRedisFanout(env.REDIS_URL) : null,
      logger: jsonLogger(),
    })
  })()
  return holder[NODE_KEY]
}
