import type * as Y from 'yjs'
import { createGenerationDeps } from '../../app/server/ai/deps'
import type { GenerationDeps } from '../../app/server/ai/generation'
import type { ServerEnv } from '../../db/env'
import type { ServerLimits } from '../../sync-server'
import {
  appendMessage,
  createChat,
  getChatMessages,
  getChatSummary,
  LOCAL_ORIGIN,
  openChatRoom,
  setChatModel,
  type Message,
} from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { synced, until } from '../sync/sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from '../sync/sync-harness'
import type { Harness, TestClient } from './harness'

/**
 * AI answers end to end in one process: a real sync node over the harness's
 * database, the generation endpoints wired into the harness's API, and the
 * production providers pointed wherever `env` says (the fake servers).
 */
export async function startAi(
  h: Harness,
  opts: { env?: Partial<ServerEnv>; answersPerMinute?: number; limits?: Partial<ServerLimits> } = {},
): Promise<{ node: SyncNode; ai: GenerationDeps; stop(): Promise<void> }> {
  const nodeOptions = { limits: opts.limits }
  const node = await startSyncNode(h, nodeOptions)
  const env = { ...h.env, ...opts.env }
  const ai = createGenerationDeps({
    db: h.db,
    env,
    sync: node.server,
    demoDelayMs: 0,
    answersPerMinute: opts.answersPerMinute ?? 10_000,
  })
  h.context.ai = ai
  return {
    node,
    ai,
    async stop() {
      await ai.registry.settled()
      h.context.ai = undefined
      await node.stop()
    },
  }
}

/** A person in a room through a stock WebsocketProvider. */
export async function joinRoom(node: SyncNode, room: string, client: TestClient): Promise<Peer> {
  const peer = connectPeer(node, room, sessionToken(client))
  await synced(peer)
  return peer
}

/** A chat asked in: its id, the question's id, and the asker's peer on the chat's own room. */
export interface AskedChat {
  chatId: string
  questionId: string
  /** The chat's room name (decision 021): `<index room>/c/<chatId>`. */
  chatRoom: string
  /** The asker's stock provider on the chat's room; destroyed with the index room's peer. */
  room: Peer
}

/**
 * Creates a chat as a client does (decision 021): listed in `peer`'s index
 * room, its room opened by a second provider of the same person, one
 * question written there; waits until the server holds both.
 */
export async function askInRoom(
  node: SyncNode,
  peer: Peer,
  room: string,
  opts: { question?: string; model?: string; title?: string; sidekiqId?: string; author: string },
): Promise<AskedChat> {
  const chat = createChat(
    peer.doc,
    { title: opts.title ?? '', createdBy: opts.author, ...(opts.sidekiqId ? { sidekiqId: opts.sidekiqId } : {}) },
    LOCAL_ORIGIN,
  )
  if (opts.model) setChatModel(peer.doc, chat.id, opts.model)
  const chatRoom = chatRoomOf(room, chat.id)
  const roomPeer = await joinChatRoom(node, peer, chatRoom)
  openChatRoom(roomPeer.doc, chat.id)
  const q = appendMessage(roomPeer.doc, chat.id, {
    role: 'user',
    authorId: opts.author,
    content: opts.question ?? 'What is the capital of France?',
  })
  const workspaceId = room.split('/')[1]
  const [index, held] = [
    await node.server.openRoom(room, workspaceId),
    await node.server.openRoom(chatRoom, workspaceId),
  ]
  try {
    await until(
      () => !!getChatSummary(index.room.doc, chat.id) && (getChatMessages(held.room.doc, chat.id)?.length ?? 0) >= 1,
      (ok) => ok,
    )
  } finally {
    index.release()
    held.release()
  }
  return { chatId: chat.id, questionId: q.id, chatRoom, room: roomPeer }
}

/** The same person as `peer` on another room (a chat's), closed when `peer` is destroyed. */
export async function joinChatRoom(node: SyncNode, peer: Peer, chatRoom: string): Promise<Peer> {
  const token = (peer.provider.params as { token?: string }).token ?? null
  const roomPeer = connectPeer(node, chatRoom, token)
  const destroy = peer.destroy.bind(peer)
  peer.destroy = () => {
    roomPeer.destroy()
    destroy()
  }
  await synced(roomPeer)
  return roomPeer
}

/** A message of the chat in `doc`: the chat's room (or a room still in the old layout). */
export function messageIn(doc: Y.Doc, chatId: string, messageId: string): Message | undefined {
  return getChatMessages(doc, chatId)?.find((m) => m.id === messageId)
}
