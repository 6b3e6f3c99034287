/**
 * A standalone sync node (`npm run sync-server`), for scaling out: the same
 * server the app mounts, on its own port, with /health and /metrics.
 */
import http from 'node:http'
import { getDatabase } from '../db/client'
import { EnvError, serverEnv } from '../db/env'
import { getProcessSyncServer } from './node'

async function main() {
  const env = serverEnv()
  const database = await getDatabase()
  const sync = await getProcessSyncServer()
  const server = http.createServer((req, res) => {
    if (req.url === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    if (req.url === '/metrics') {
      return res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(sync.metrics.render())
    }
    res.writeHead(404).end()
  })
  server.on('upgrade', (req, socket, head) => {
    if (!sync.handleUpgrade(req, socket, head)) socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(env.PORT, env.HOST, resolve)
  })
  const address = server.address()
  console.log(
    JSON.stringify({
      level: 'info',
      service: 'sync',
      msg: 'sync node listening',
      port: typeof address === 'object' && address ? address.port : env.PORT,
      redis: !!env.REDIS_URL,
      database: database.driver,
    }),
  )
  const stop = async () => {
    await sync.close()
    server.closeAllConnections()
    server.close()
    await database.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop())
  process.once('SIGINT', () => void stop())
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError ? error.message : error)
  process.exit(1)
})
