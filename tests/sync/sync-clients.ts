import { asc, eq } from 'drizzle-orm'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { roomSnapshot, roomUpdate } from '../../db/schema'
import { sharedRoom, privateRoom } from '../../shared/rooms'
import type { WorkspaceRole } from '../../shared/roles'
import { addMember, createWorkspace, poll } from '../helpers/fixtures'
import { signUp, type Harness, type TestClient } from '../helpers/harness'
import { encodeSyncStep1 } from '../../sync-server/protocol'
import type { Peer } from './sync-harness'

/**
 * Building blocks for the sync tests beyond sync-harness.ts: a raw socket
 * that records every byte the server sends, waits on providers, and the
 * database's view of a room.
 */

export interface RawClient {
  ws: WebSocket
  /** Every message received, in order. */
  messages: Uint8Array[]
  /** Resolves when the socket opened (rejects if it never does). */
  opened: Promise<void>
  /** Resolves with the close code and reason, and how many messages had arrived by then. */
  closed: Promise<{ code: number; reason: string; messagesBeforeClose: number }>
  isClosed(): boolean
  send(bytes: Uint8Array): void
}

/**
 * A bare `ws` client on `node.url/room` (the path is taken as given, so a
 * malformed room reaches the server unchanged). With `hello` it sends a sync
 * step 1 as soon as it opens, as the stock provider does, to tempt a reply.
 */
export function rawClient(
  node: { url: string },
  room: string,
  opts: { token?: string | null; cookie?: string; hello?: boolean } = {},
): RawClient {
  const query = opts.token ? `?token=${encodeURIComponent(opts.token)}` : ''
  const ws = new WebSocket(`${node.url}/${room}${query}`, {
    headers: opts.cookie ? { cookie: opts.cookie } : {},
    perMessageDeflate: false,
  })
  const messages: Uint8Array[] = []
  let isClosed = false
  ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)))
  // Errors (a reset after a close, an oversized frame) surface as the close code.
  ws.on('error', () => {})
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      if (opts.hello) ws.send(encodeSyncStep1(new Y.Doc()))
      resolve()
    })
    ws.once('close', () => reject(new Error('closed before opening')))
  })
  opened.catch(() => {})
  const closed = new Promise<{ code: number; reason: string; messagesBeforeClose: number }>((resolve) => {
    ws.once('close', (code: number, reason: Buffer) => {
      isClosed = true
      resolve({ code, reason: reason.toString(), messagesBeforeClose: messages.length })
    })
  })
  return {
    ws,
    messages,
    opened,
    closed,
    isClosed: () => isClosed,
    send: (bytes) => ws.send(bytes),
  }
}

/** Resolves once the value of `read` satisfies `done`; synchronous reads wrapped for fixtures' poll. */
export function until<T>(read: () => T, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  return poll(async () => read(), done, timeoutMs)
}

/** Waits until a stock provider has completed its sync handshake. */
export async function synced(peer: Peer, timeoutMs = 5000): Promise<void> {
  await until(
    () => peer.provider.synced,
    (s) => s,
    timeoutMs,
  )
}

/** The text of `peer`'s Y.Text `name` (default 'text'). */
export const textOf = (peer: Peer | { doc: Y.Doc }, name = 'text') => peer.doc.getText(name).toString()

/** A room's state as the database holds it: snapshot plus log, merged into a fresh document. */
export async function storedDoc(h: Harness, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  for (const update of await storedUpdates(h, room)) Y.applyUpdate(doc, update)
  return doc
}

export async function storedUpdates(h: Harness, room: string): Promise<Uint8Array[]> {
  const [snapshot] = await h.db.select().from(roomSnapshot).where(eq(roomSnapshot.room, room))
  const rows = await logRows(h, room)
  return [...(snapshot ? [snapshot.state] : []), ...rows.map((r) => r.update)]
}

export function logRows(h: Harness, room: string) {
  return h.db.select().from(roomUpdate).where(eq(roomUpdate.room, room)).orderBy(asc(roomUpdate.id))
}

export async function snapshotRow(h: Harness, room: string) {
  const [row] = await h.db.select().from(roomSnapshot).where(eq(roomSnapshot.room, room))
  return row ?? null
}

export interface Team {
  ws: { id: string; slug: string; name: string }
  shared: string
  byRole: Record<WorkspaceRole, TestClient>
  privateOf(client: TestClient): string
}

/** A fresh workspace with one person in each role (the owner created it through the API). */
export async function teamWithEveryRole(h: Harness): Promise<Team> {
  const owner = await signUp(h, 'Owner')
  const ws = await createWorkspace(owner)
  const byRole = { owner } as Record<WorkspaceRole, TestClient>
  for (const role of ['admin', 'member', 'viewer'] as const) {
    const client = await signUp(h, role)
    await addMember(h, ws.id, client.user!.id, role)
    byRole[role] = client
  }
  return { ws, shared: sharedRoom(ws.id), byRole, privateOf: (c) => privateRoom(ws.id, c.user!.id) }
}

/**
 * A barrier on one connection: sends a sync step 1 on the provider's socket
 * and waits for the server's sync step 2 answer. The server handles a
 * connection's messages in order, so everything this client sent before has
 * been handled (stored, dropped or forwarded) when this resolves.
 */
export async function roundTrip(peer: Peer, timeoutMs = 5000): Promise<void> {
  const ws = peer.provider.ws as unknown as WebSocket | null
  if (!ws || ws.readyState !== ws.OPEN) throw new Error('peer is not connected')
  let answered = false
  const onMessage = (data: ArrayBuffer | Buffer) => {
    // The provider asks for ArrayBuffers. [0 = sync, 1 = step 2, …]
    const bytes = new Uint8Array(data)
    if (bytes[0] === 0 && bytes[1] === 1) answered = true
  }
  ws.on('message', onMessage)
  try {
    ws.send(encodeSyncStep1(peer.doc))
    await until(
      () => answered,
      (a) => a,
      timeoutMs,
    )
  } finally {
    ws.off('message', onMessage)
  }
}
