import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { AppError } from '../shared/errors'
import type { ChatSummary } from '../shared/doc'
import { isChatRoom, parseRoomName } from '../shared/rooms'
import { authorizeRoom } from '../db/access'
import type { Auth } from '../db/auth'
import { createSessionUserResolver } from '../db/auth/session-user'
import type { Db } from '../db/client'
import { createUpdateAppender } from '../db/room-storage'
import type { Revocation, RevocationBus } from '../db/revocations'
import { authenticateUpgrade } from './authenticate'
import { CloseCode } from './close-codes'
import { Connection, toBytes, type ConnectionDeps } from './connection'
import type { Fanout } from './fanout'
import { DEFAULT_LIMITS } from './limits'
import { ChatActivityWriter } from './chat-activity'
import { watchChatIndex } from './chat-index-watch'
import { moveChatBetweenRooms, type MoveChatInput, type MoveChatOptions, type MoveContext } from './chat-move'
import { LegacyChatConverter } from './legacy-conversion'
import { jsonLogger, type Logger } from './logger'
import { SyncMetrics } from './metrics'
import { Room } from './room'
import type { RoomHold, RoomHost } from './room-host'
import { DEFAULT_CHAT_ROOM_LIMITS, type ServerLimits } from './room-limits'
import { yieldIfTurnSpent } from './turn-budget'

export const SYNC_PATH = '/sync/'

export type { RoomHold }

export interface SyncServerOptions {
  db: Db
  /** Where the update log is appended (Database.logWriter); defaults to `db`. */
  logWriter?: Db
  auth: Auth
  revocations: RevocationBus
  /** Cross-node fan-out (Redis); null for a single node. */
  fanout?: Fanout | null
  limits?: Partial<ServerLimits>
  logger?: Logger
}

export interface SyncServer {
  /** Takes over an HTTP upgrade for /sync/…; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean
  metrics: SyncMetrics
  /** Rooms held in memory (for tests and metrics). */
  rooms: Map<string, Room>
  /**
   * Opens a room for server-side work (an AI answer streaming in) and holds
   * it open until `release`. The caller has authorized the request.
   */
  openRoom(roomName: string, workspaceId: string): Promise<RoomHold>
  /**
   * Moves a chat between two index rooms of a workspace (a private chat
   * shared, or a shared one made private), with its room; see chat-move.ts.
   * Run again after an interruption, it ends where an uninterrupted move
   * ends. The caller has authorized the move.
   */
  moveChat(input: MoveChatInput, options?: MoveChatOptions): Promise<ChatSummary>
  /** Resolves once the server's own background work (conversions, index activity, deletions) has settled. */
  idle(): Promise<void>
  /** Closes every connection (1012), flushes and compacts every room. */
  close(): Promise<void>
}

/**
 * The sync server: y-websocket protocol over `ws`. Each upgrade is accepted,
 * then authenticated and authorized through db/access.ts before any
 * document byte is sent; refusals close with 4401/4403/4400.
 */
export function createSyncServer(options: SyncServerOptions): SyncServer {
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...DEFAULT_CHAT_ROOM_LIMITS, ...options.limits }
  const logger = options.logger ?? jsonLogger()
  const metrics = new SyncMetrics()
  const rooms = new Map<string, Room>()
  const closing = new Map<string, Promise<void>>()
  const idleTimers = new Map<string, NodeJS.Timeout>()
  const connections = new Set<Connection>()
  const recentRevocations: { at: number; revocation: Revocation }[] = []
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes, perMessageDeflate: false })
  const deps = {
    db: options.db,
    appender: createUpdateAppender(options.logWriter ?? options.db),
    limits,
    metrics,
    logger,
    fanout: options.fanout ?? null,
  }
  const resolveUser = createSessionUserResolver(options.auth, options.db)
  let shuttingDown = false
  const background = new Set<Promise<unknown>>()

  async function openHeldRoom(roomName: string, workspaceId: string): Promise<RoomHold> {
    const room = await getRoom(roomName, workspaceId)
    const release = holdRoom(room)
    try {
      await room.ready
    } catch (error) {
      release()
      throw error
    }
    return { room, release }
  }

  /** Counts one more server-side holder of `room` (it stays open while held); the function returned releases it. */
  function holdRoom(room: Room): () => void {
    room.holders++
    let held = true
    return () => {
      if (!held) return
      held = false
      room.holders--
      releaseIfEmpty(room)
    }
  }

  async function dropRoom(name: string, reason: string): Promise<void> {
    activity.forget(name)
    const timer = idleTimers.get(name)
    if (timer) {
      clearTimeout(timer)
      idleTimers.delete(name)
    }
    const room = rooms.get(name)
    if (!room) return
    room.deleted = true
    rooms.delete(name)
    metrics.openRooms = rooms.size
    for (const c of connections) if (c.room === room) c.close(CloseCode.FORBIDDEN, reason)
    // Its queued writes end (refused: the room is gone), and nothing is compacted back into storage.
    const done = room.close(Infinity).finally(() => closing.delete(name))
    closing.set(name, done)
    await done
  }

  const host: RoomHost = {
    db: options.db,
    logger,
    limits,
    openRoom: openHeldRoom,
    hold: holdRoom,
    openedRoom: (name) => rooms.get(name),
    dropRoom,
    track(work) {
      const tracked = work.catch(() => {}).finally(() => background.delete(tracked))
      background.add(tracked)
    },
  }
  const activity = new ChatActivityWriter(host)
  const converter = new LegacyChatConverter(host)
  const moves: MoveContext = {
    host,
    async convert(index, workspaceId) {
      const hold = await openHeldRoom(index, workspaceId)
      try {
        await converter.convert(hold.room)
      } finally {
        hold.release()
      }
    },
    async touchActivity(chatRoom, workspaceId) {
      const hold = await openHeldRoom(chatRoom, workspaceId)
      try {
        await activity.writeNow(hold.room)
      } finally {
        hold.release()
      }
    },
  }

  /** What the server does in a room besides syncing it, by the room's kind (decision 021). */
  function watchRoom(room: Room) {
    const parsed = parseRoomName(room.name)
    if (!parsed) return
    if (isChatRoom(parsed)) return activity.watch(room)
    converter.watch(room)
    watchChatIndex(room, host, (chatRoom) => host.track(moves.touchActivity(chatRoom, room.workspaceId)))
  }

  async function getRoom(name: string, workspaceId: string): Promise<Room> {
    const timer = idleTimers.get(name)
    if (timer) {
      clearTimeout(timer)
      idleTimers.delete(name)
    }
    await closing.get(name)
    let room = rooms.get(name)
    if (room?.loadFailed) {
      // Not kept broken until the node restarts: clients reconnect within
      // seconds, so an idle timeout would never release it.
      rooms.delete(name)
      void room.close()
      room = undefined
    }
    if (!room) {
      room = new Room(name, workspaceId, deps)
      watchRoom(room)
      rooms.set(name, room)
      metrics.openRooms = rooms.size
    }
    return room
  }

  function releaseIfEmpty(room: Room) {
    if (room.peers.size > 0 || room.holders > 0 || rooms.get(room.name) !== room || idleTimers.has(room.name)) return
    idleTimers.set(
      room.name,
      setTimeout(() => {
        idleTimers.delete(room.name)
        if (room.peers.size > 0 || room.holders > 0) return
        rooms.delete(room.name)
        metrics.openRooms = rooms.size
        const done = room.close(limits.compactIdleFrom).finally(() => closing.delete(room.name))
        closing.set(room.name, done)
      }, limits.idleRoomMs).unref(),
    )
  }

  const matches = (workspaceId: string, userId: string, r: Revocation) =>
    workspaceId === r.workspaceId && (r.userId === undefined || userId === r.userId)

  const connectionDeps: ConnectionDeps = {
    limits,
    metrics,
    logger,
    onClosed(conn) {
      connections.delete(conn)
      metrics.openConnections = connections.size
      releaseIfEmpty(conn.room)
    },
  }

  function terminateOnError(this: WebSocket) {
    this.terminate()
  }

  const unsubscribe = options.revocations.subscribe((revocation) => {
    recentRevocations.push({ at: Date.now(), revocation })
    while (recentRevocations.length && recentRevocations[0].at < Date.now() - 60_000) recentRevocations.shift()
    for (const c of connections) {
      if (!matches(c.workspaceId, c.userId, revocation)) continue
      c.close(revocation.kind === 'role-changed' ? CloseCode.RIGHTS_CHANGED : CloseCode.FORBIDDEN, revocation.kind)
    }
  })

  function refuse(ws: WebSocket, code: number, reason: string) {
    metrics.refused(code)
    ws.close(code, reason)
  }

  async function onConnection(ws: WebSocket, req: IncomingMessage, url: URL, roomName: string) {
    // Frames that arrive while we authorize wait here; nothing is sent before the decision.
    const pending: Uint8Array[] = []
    const hold = (data: Parameters<typeof toBytes>[0]) => {
      if (pending.length < 64) pending.push(toBytes(data))
      else ws.close(CloseCode.POLICY_VIOLATION, 'too many messages before authorization')
    }
    ws.on('message', hold)
    ws.on('error', terminateOnError)
    const started = Date.now()
    if (!parseRoomName(roomName)) return refuse(ws, CloseCode.MALFORMED, 'malformed room')
    const userId = await authenticateUpgrade(resolveUser, req, url)
    if (!userId) return refuse(ws, CloseCode.UNAUTHORIZED, 'no session')
    let access
    try {
      access = await authorizeRoom(options.db, userId, roomName)
    } catch (error) {
      if (error instanceof AppError && error.code === 'BAD_REQUEST')
        return refuse(ws, CloseCode.MALFORMED, 'malformed room')
      if (error instanceof AppError) return refuse(ws, CloseCode.FORBIDDEN, 'forbidden')
      logger.error('authorization failed', { room: roomName, error: String(error) })
      return refuse(ws, CloseCode.INTERNAL_ERROR, 'authorization failed')
    }
    if (ws.readyState !== ws.OPEN) return
    // Authorized while the node shuts down: nothing else would ever close
    // this socket (upgraded sockets are the HTTP server's no longer).
    if (shuttingDown) return ws.close(CloseCode.SERVICE_RESTART, 'server shutting down')
    // A hundred clients connecting at once would otherwise all be served in one turn of the loop.
    await yieldIfTurnSpent()
    const room = await getRoom(roomName, access.workspaceId)
    if (shuttingDown) return ws.close(CloseCode.SERVICE_RESTART, 'server shutting down')
    // A revocation that landed while we were authorizing (or loading the room) still applies.
    const missed = recentRevocations.find((r) => r.at >= started && matches(access.workspaceId, userId, r.revocation))
    if (missed || ws.readyState !== ws.OPEN) {
      if (missed) {
        const code = missed.revocation.kind === 'role-changed' ? CloseCode.RIGHTS_CHANGED : CloseCode.FORBIDDEN
        metrics.closed(code)
        ws.close(code, missed.revocation.kind)
      }
      return releaseIfEmpty(room)
    }
    const conn = new Connection(ws, room, access.userId, access.role, access.canWrite, connectionDeps)
    connections.add(conn)
    metrics.connectionsOpened++
    metrics.openConnections = connections.size
    // From here the connection reads the socket itself; the frames held meanwhile go first.
    ws.off('message', hold)
    conn.start(pending.splice(0))
  }

  return {
    metrics,
    rooms,
    async openRoom(roomName, workspaceId) {
      if (shuttingDown) throw new Error('sync server is shutting down')
      return openHeldRoom(roomName, workspaceId)
    },
    moveChat(input, moveOptions) {
      if (shuttingDown) return Promise.reject(new Error('sync server is shutting down'))
      return moveChatBetweenRooms(moves, input, moveOptions)
    },
    async idle() {
      // Index writes still waiting on their pace are written now, then whatever they set off.
      do {
        await activity.flush()
        await Promise.all(background)
      } while (background.size || activity.hasPending())
    },
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (!url.pathname.startsWith(SYNC_PATH)) return false
      let roomName = ''
      try {
        roomName = decodeURIComponent(url.pathname.slice(SYNC_PATH.length))
      } catch {
        roomName = ''
      }
      // A turn of its own: a hundred members arriving at once are a hundred handshakes read in
      // one poll of the loop, each a fraction of a millisecond, tens back to back. The client
      // sends nothing before the handshake's answer, so nothing arrives meanwhile. Until ws
      // takes the socket, nothing else listens for its errors: a reset while it waits must not
      // be an unhandled 'error' that ends the process.
      const dropOnError = () => socket.destroy()
      socket.on('error', dropOnError)
      void yieldIfTurnSpent().then(() => {
        socket.off('error', dropOnError)
        if (socket.destroyed) return
        wss.handleUpgrade(req, socket, head, (ws) => {
          onConnection(ws, req, url, roomName).catch((error: unknown) => {
            logger.error('connection failed', { error: String(error) })
            ws.close(CloseCode.INTERNAL_ERROR, 'internal error')
          })
        })
      })
      return true
    },
    async close() {
      shuttingDown = true
      unsubscribe()
      converter.close()
      await activity.flush()
      await Promise.all(background)
      for (const c of connections) c.close(CloseCode.SERVICE_RESTART, 'server shutting down')
      for (const t of idleTimers.values()) clearTimeout(t)
      idleTimers.clear()
      await Promise.all([...rooms.values()].map((r) => r.close()))
      await Promise.all(closing.values())
      rooms.clear()
      wss.close()
      metrics.dispose()
    },
  }
}
