/**
 * A sync node in a process of its own, for tests that must kill one
 * (`kill -9`) mid-write. Run with `node --import tsx tests/sync/node-process.ts`.
 * Like the real server it builds its database and auth from the environment
 * (DATABASE_URL, BETTER_AUTH_SECRET, BETTER_AUTH_URL, REDIS_URL) through the
 * process-wide factories in db/; it prints one JSON line `{"port": N}` once
 * it listens.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { getAuth } from '../../db/auth'
import { getDatabase } from '../../db/client'
import { serverEnv } from '../../db/env'
import { getRevocationBus } from '../../db/revocations'
import { createRedisFanout } from '../../sync-server/fanout'
import { silentLogger } from '../../sync-server/logger'
import { createSyncServer } from '../../sync-server/server'

const env = serverEnv()
if (!env.DATABASE_URL || !env.REDIS_URL) throw new Error('node-process needs DATABASE_URL and REDIS_URL')

const database = await getDatabase()
const server = createSyncServer({
  db: database.db,
  logWriter: database.logWriter,
  auth: await getAuth(),
  revocations: getRevocationBus(env.REDIS_URL),
  fanout: createRedisFanout(env.REDIS_URL),
  logger: silentLogger,
})
const httpServer = http.createServer((_req, res) => res.writeHead(404).end())
httpServer.on('upgrade', (req, socket, head) => {
  if (!server.handleUpgrade(req, socket, head)) socket.destroy()
})
httpServer.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (httpServer.address() as AddressInfo).port }) + '\n')
})
