import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { createRevocationBus, type RevocationBus } from '../../db/revocations'
import { createRedisFanout, type Fanout } from '../../sync-server/fanout'
import type { ServerLimits } from '../../sync-server/room-limits'
import { silentLogger } from '../../sync-server/logger'
import { createSyncServer, type SyncServer } from '../../sync-server/server'
import type { Harness, TestClient } from '../helpers/harness'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface SyncNode {
  url: string
  port: number
  server: SyncServer
  revocations: RevocationBus
  stop(): Promise<void>
}

/** A real sync node on a free port over the harness's database and auth. */
export async function startSyncNode(
  h: Harness,
  opts: { limits?: Partial<ServerLimits>; redis?: boolean; revocations?: RevocationBus; port?: number } = {},
): Promise<SyncNode> {
  const revocations = opts.revocations ?? (opts.redis ? createRevocationBus(REDIS_URL) : h.revocations)
  const fanout: Fanout | null = opts.redis ? createRedisFanout(REDIS_URL) : null
  const server = createSyncServer({
    db: h.db,
    logWriter: h.database.logWriter,
    auth: h.auth,
    revocations,
    fanout,
    logger: silentLogger,
    limits: { idleRoomMs: 50, ...opts.limits },
  })
  const httpServer = http.createServer((_req, res) => res.writeHead(404).end())
  httpServer.on('upgrade', (req, socket, head) => {
    if (!server.handleUpgrade(req, socket, head)) socket.destroy()
  })
  await new Promise<void>((resolve) => httpServer.listen(opts.port ?? 0, '127.0.0.1', resolve))
  const port = (httpServer.address() as AddressInfo).port
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    port,
    server,
    revocations,
    async stop() {
      await server.close()
      httpServer.closeAllConnections()
      await new Promise<void>((resolve) => httpServer.close(() => resolve()))
      await fanout?.close()
      if (opts.redis && !opts.revocations) await revocations.close()
    },
  }
}

/** The session token of a signed-in test client (from its cookie). */
export function sessionToken(client: TestClient): string {
  const pair = client.cookie.split('; ').find((c) => c.startsWith('workspaces.session_token='))
  if (!pair) throw new Error('client has no session cookie')
  return decodeURIComponent(pair.slice('workspaces.session_token='.length))
}

export interface Peer {
  doc: Y.Doc
  provider: WebsocketProvider
  closes: { code: number; reason: string }[]
  destroy(): void
}

/** A stock y-websocket provider, as any client would use it. */
export function connectPeer(node: { url: string }, room: string, token: string | null, connect = true): Peer {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(node.url, room, doc, {
    WebSocketPolyfill: WebSocket as never,
    params: token ? { token } : {},
    connect,
    disableBc: true,
    maxBackoffTime: 200,
  })
  const closes: Peer['closes'] = []
  provider.on('connection-close', (event: { code: number; reason: string } | null) => {
    if (event) closes.push({ code: event.code, reason: String(event.reason) })
  })
  return {
    doc,
    provider,
    closes,
    destroy() {
      provider.destroy()
      doc.destroy()
    },
  }
}
