import * as Y from 'yjs'
import { type chatRecord, getChat, legacyChatIds, listChats, serverOrigin, type Chat } from '../../shared/doc'
import { CHATS_KEY } from '../../shared/doc/chat-store'
import type { z } from 'zod'
import { chatRoomOf } from '../../shared/rooms'
import type { Harness } from '../helpers/harness'
import { storedDoc } from './sync-clients'

/** Index rooms in the layout before decision 021 (every chat with its messages), for the conversion tests. */

type ChatRecord = z.input<typeof chatRecord>
const SEED = serverOrigin('test-seed')

/**
 * Every kind of chat and message an old room may hold: a sidekiq's chat, a
 * chat with a model, pinned and archived chats, an empty chat; messages of
 * every role and status, with usage, timing, model, error and replyTo.
 * Open answers are young (`now`), so no room load closes them as abandoned.
 */
export function everyKindOfChat(now: number, author: string): ChatRecord[] {
  const t = now - 60_000
  return [
    {
      id: 'plain',
      title: 'Plain',
      createdBy: author,
      createdAt: t,
      updatedAt: t + 5,
      pinned: false,
      archived: false,
      messages: [
        { id: 'p1', role: 'system', authorId: 'app', content: 'Be brief.', createdAt: t + 1, status: 'done' },
        { id: 'p2', role: 'user', authorId: author, content: 'Hello\nthere', createdAt: t + 2, status: 'done' },
        {
          id: 'p3',
          role: 'assistant',
          authorId: 'model',
          content: 'Hi!',
          createdAt: t + 3,
          status: 'done',
          model: 'demo',
          usage: { inputTokens: 12, outputTokens: 3, costMicros: 42 },
          timing: { firstTokenMs: 120, durationMs: 300 },
          replyTo: 'p2',
        },
        {
          id: 'p4',
          role: 'assistant',
          authorId: 'model',
          content: 'Hel',
          createdAt: t + 4,
          status: 'stopped',
          replyTo: 'p2',
        },
        {
          id: 'p5',
          role: 'assistant',
          authorId: 'model',
          content: '',
          createdAt: t + 5,
          status: 'error',
          error: 'The model failed.',
          replyTo: 'p2',
        },
      ],
    },
    {
      id: 'sidekiq',
      title: 'With a sidekiq',
      createdBy: author,
      createdAt: t,
      updatedAt: now,
      sidekiqId: 'writer',
      sidekiqName: 'Writer',
      model: 'gpt-x',
      pinned: true,
      archived: false,
      messages: [
        { id: 's1', role: 'user', authorId: author, content: 'Draft it', createdAt: now - 2, status: 'done' },
        {
          id: 's2',
          role: 'assistant',
          authorId: 'model',
          content: '',
          createdAt: now - 1,
          status: 'pending',
          replyTo: 's1',
        },
        {
          id: 's3',
          role: 'assistant',
          authorId: 'model',
          content: 'Dra',
          createdAt: now,
          status: 'streaming',
          replyTo: 's1',
        },
      ],
    },
    {
      id: 'archived',
      title: 'Old stuff',
      createdBy: 'someone-else',
      createdAt: t - 1000,
      updatedAt: t - 500,
      pinned: false,
      archived: true,
      messages: [
        {
          id: 'a1',
          role: 'user',
          authorId: 'someone-else',
          content: 'x'.repeat(300),
          createdAt: t - 500,
          status: 'done',
        },
      ],
    },
    {
      id: 'empty',
      title: '',
      createdBy: author,
      createdAt: t,
      updatedAt: t,
      pinned: false,
      archived: false,
      messages: [],
    },
  ]
}

/** `count` small chats of `messages` messages each, ids `c0`, `c1`, …, the same for every call. */
export function manyChats(count: number, messages: number, author: string, now: number): ChatRecord[] {
  return Array.from({ length: count }, (_, c) => ({
    id: `c${c}`,
    title: `Chat ${c}`,
    createdBy: author,
    createdAt: now - 100_000 + c,
    updatedAt: now - 100_000 + c + messages,
    pinned: c % 7 === 0,
    archived: c % 11 === 0,
    messages: Array.from({ length: messages }, (_, m) => ({
      id: `c${c}m${m}`,
      role: m % 2 ? ('assistant' as const) : ('user' as const),
      authorId: m % 2 ? 'model' : author,
      content: `chat ${c}, message ${m}`,
      createdAt: now - 100_000 + c + m + 1,
      status: 'done' as const,
    })),
  }))
}

/** An index room's state holding `chats` in the old layout. */
export function legacyRoomState(chats: ChatRecord[]): Uint8Array {
  const doc = new Y.Doc()
  for (const chat of chats) writeLegacyChat(doc, chat, SEED)
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

/** What an old-layout room says of each of its chats, messages included, by id. */
export function chatsOfLegacyDoc(doc: Y.Doc): Map<string, Chat> {
  return new Map(listChats(doc).map((c) => [c.id, getChat(doc, c.id)!]))
}

/** What storage holds of an index room's chats after conversion: its entries with their rooms' messages. */
export async function storedChats(
  h: Harness,
  indexRoom: string,
): Promise<{ chats: Map<string, Chat>; legacyLeft: number }> {
  const index = await storedDoc(h, indexRoom)
  const chats = new Map<string, Chat>()
  for (const summary of listChats(index)) {
    const room = await storedDoc(h, chatRoomOf(indexRoom, summary.id))
    chats.set(summary.id, getChat(index, summary.id, room)!)
  }
  return { chats, legacyLeft: legacyChatIds(index).length }
}

/**
 * Writes a chat as the previous build stored it: `chats/<id>` holding its
 * metadata and its messages (content as `Y.Text`), in one transaction.
 */
export function writeLegacyChat(doc: Y.Doc, record: ChatRecord, origin: unknown): void {
  doc.transact(() => {
    const { messages, ...fields } = record
    const chat = new Y.Map<unknown>()
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) chat.set(key, value)
    const list = new Y.Array<Y.Map<unknown>>()
    list.push(
      messages.map(({ content, ...rest }) => {
        const message = new Y.Map<unknown>()
        for (const [key, value] of Object.entries(rest)) if (value !== undefined) message.set(key, value)
        message.set('content', new Y.Text(content))
        return message
      }),
    )
    chat.set('messages', list)
    doc.getMap<unknown>(CHATS_KEY).set(record.id, chat)
  }, origin)
}
