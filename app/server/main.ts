/**
 * The production entry: validates the environment, migrates the database,
 * then serves the built app (dist/) on PORT. `npm start` builds first.
 */
import { existsSync } from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import sirv from 'sirv'
import { toNodeHandler } from 'srvx/node'
import { getDatabase } from '../../db/client'
import { EnvError, serverEnv } from '../../db/env'
import { getProcessSyncServer } from '../../sync-server'
import { createBillingDeps } from './billing/deps'
import { startBillingWorker } from './billing/worker'

interface StartBundle {
  default: { fetch: (request: Request) => Promise<Response> | Response }
}

async function main() {
  const env = serverEnv()
  const database = await getDatabase()
  const serverBundle = path.resolve('dist/server/server.js')
  if (!existsSync(serverBundle)) throw new Error('dist/server/server.js is missing: run `npm run build` first')
  const start = (await import(pathToFileURL(serverBundle).href)) as StartBundle
  const app = toNodeHandler(start.default.fetch) as (
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => Promise<void>
  // Hashed assets are immutable; everything else goes to the app.
  const assets = sirv(path.resolve('dist/client'), {
    immutable: true,
    gzip: true,
    etag: true,
    // The service worker must be revalidated on every check, or browsers keep running an old build's.
    setHeaders: (res, pathname) => {
      if (pathname === '/sw.js') res.setHeader('Cache-Control', 'no-cache')
    },
  })

  const sync = await getProcessSyncServer()
  // Overage to Stripe's meter, grace periods and seats: every node runs one; claims keep them apart.
  const billing = createBillingDeps(database.db, env)
  const reporter = billing ? startBillingWorker(billing) : null

  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(sync.metrics.render())
      return
    }
    assets(req, res, () => void app(req, res))
  })
  // The sync server shares the port: ws(s)://HOST/sync/<room>.
  server.on('upgrade', (req, socket, head) => {
    if (!sync.handleUpgrade(req, socket, head)) socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(env.PORT, env.HOST, resolve)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : env.PORT
  console.log(`Workspaces listening on http://localhost:${port} (database: ${database.driver})`)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: shutting down`)
    await reporter?.stop()
    // Sync first: it flushes queued updates and compacts rooms while the database is up.
    await sync.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await database.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error: unknown) => {
  if (error instanceof EnvError) console.error(error.message)
  else console.error('Failed to start:', error)
  process.exit(1)
})
