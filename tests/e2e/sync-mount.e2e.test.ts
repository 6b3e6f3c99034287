import { randomBytes } from 'node:crypto'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { sharedRoom } from '../../shared/rooms'
import { startAppServer } from './app-server'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const secret = randomBytes(32).toString('hex')
let app: Awaited<ReturnType<typeof startAppServer>>
let node: Awaited<ReturnType<typeof startAppServer>>

beforeAll(async () => {
  // The app (with its mounted sync server) and a standalone sync node share
  // one database, one secret and Redis, as two nodes of one deployment would.
  app = await startAppServer({ database: 'postgres', env: { BETTER_AUTH_SECRET: secret, REDIS_URL } })
  node = await startAppServer({
    entry: 'sync-server/main.ts',
    healthPath: '/health',
    databaseUrl: app.databaseUrl,
    env: { BETTER_AUTH_SECRET: secret, REDIS_URL, BETTER_AUTH_URL: app.baseURL },
  })
})

afterAll(async () => {
  await node?.stop()
  await app?.stop()
})

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

function provider(baseURL: string, room: string, token: string) {
  const doc = new Y.Doc()
  const p = new WebsocketProvider(`${baseURL.replace(/^http/, 'ws')}/sync`, room, doc, {
    WebSocketPolyfill: WebSocket as never,
    params: { token },
    disableBc: true,
  })
  return { doc, p }
}

test('npm start serves sync on the app port, a standalone node serves the same rooms, and Redis joins them', async () => {
  const signUp = await fetch(`${app.baseURL}/api/auth/sign-up/email`, {
    method: 'POST',
    headers: { origin: app.baseURL, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Sam', email: `sam-${Date.now()}@example.test`, password: 'correct horse battery' }),
  })
  expect(signUp.status).toBe(200)
  const cookie = signUp.headers.getSetCookie().map((c) => c.split(';')[0])
  const token = decodeURIComponent(cookie.find((c) => c.startsWith('workspaces.session_token='))!.split('=')[1])
  const list = await fetch(`${app.baseURL}/api/workspaces`, { headers: { cookie: cookie.join('; ') } })
  const { workspaces } = (await list.json()) as { workspaces: { id: string }[] }
  const room = sharedRoom(workspaces[0].id)

  const onApp = provider(app.baseURL, room, token)
  const onNode = provider(node.baseURL, room, token)
  try {
    await until(() => onApp.p.synced && onNode.p.synced)
    const fromApp = 'from the app node. '
    const fromNode = 'from the sync node. '
    onApp.doc.getText('t').insert(0, fromApp)
    onNode.doc.getText('t').insert(0, fromNode)
    const both = fromApp.length + fromNode.length
    await until(() => onApp.doc.getText('t').length === both && onNode.doc.getText('t').length === both)
    expect(onApp.doc.getText('t').toString()).toBe(onNode.doc.getText('t').toString())

    const metrics = await (await fetch(`${app.baseURL}/metrics`)).text()
    expect(metrics).toMatch(/^sync_connections 1$/m)
    expect(metrics).toMatch(/^sync_persist_latency_ms_count [1-9]/m)
    const nodeMetrics = await (await fetch(`${node.baseURL}/metrics`)).text()
    expect(nodeMetrics).toMatch(/^sync_connections 1$/m)
  } finally {
    onApp.p.destroy()
    onNode.p.destroy()
  }
})
