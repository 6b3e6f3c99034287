import type * as Y from 'yjs'
import { createGenerationDeps } from '../../app/server/ai/deps'
import type { GenerationDeps } from '../../app/server/ai/generation'
import type { ServerEnv } from '../../db/env'
import { appendMessage, createChat, getChat, LOCAL_ORIGIN, setChatModel, type Message } from '../../shared/doc'
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
  opts: { env?: Partial<ServerEnv>; answersPerMinute?: number } = {},
): Promise<{ node: SyncNode; ai: GenerationDeps; stop(): Promise<void> }> {
  const node = await startSyncNode(h)
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

/** A person in a room through a stock WebsocketProvider, with a chat to ask in. */
export async function joinRoom(node: SyncNode, room: string, client: TestClient): Promise<Peer> {
  const peer = connectPeer(node, room, sessionToken(client))
  await synced(peer)
  return peer
}

/** Creates a chat with one question in `peer`'s room and waits until the server holds it. */
export async function askInRoom(
  node: SyncNode,
  peer: Peer,
  room: string,
  opts: { question?: string; model?: string; title?: string; sidekiqId?: string; author: string },
): Promise<{ chatId: string; questionId: string }> {
  const chat = createChat(
    peer.doc,
    { title: opts.title ?? '', createdBy: opts.author, ...(opts.sidekiqId ? { sidekiqId: opts.sidekiqId } : {}) },
    LOCAL_ORIGIN,
  )
  if (opts.model) setChatModel(peer.doc, chat.id, opts.model)
  const q = appendMessage(peer.doc, chat.id, {
    role: 'user',
    authorId: opts.author,
    content: opts.question ?? 'What is the capital of France?',
  })
  const hold = await node.server.openRoom(room, room.split('/')[1])
  try {
    await until(
      () => getChat(hold.room.doc, chat.id)?.messages.length ?? 0,
      (n) => n >= 1,
    )
  } finally {
    hold.release()
  }
  return { chatId: chat.id, questionId: q.id }
}

export function messageIn(doc: Y.Doc, chatId: string, messageId: string): Message | undefined {
  return getChat(doc, chatId)?.messages.find((m) => m.id === messageId)
}
