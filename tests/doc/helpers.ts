import * as Y from 'yjs'
import { afterEach, beforeEach, vi } from 'vitest'
import { CHAT_EDITS_KEY, CHAT_INDEX_KEY } from '../../shared/doc/chat-index'
import { CHAT_ROOM_MESSAGES_KEY, CHAT_ROOM_META_KEY } from '../../shared/doc/chat-room'
import { CHATS_KEY } from '../../shared/doc/chat-store'
import {
  chatActivity,
  getChat,
  getSchemaVersion,
  type InvalidValue,
  listChats,
  listSidekiqs,
  openChatRoom,
  recordChatActivity,
  serverOrigin,
} from '../../shared/doc'
import { META_KEY } from '../../shared/doc/schema-version'
import { SIDEKIQS_KEY } from '../../shared/doc/sidekiqs'

/** Sends every update each doc lacks to every other doc, as a sync round over a mesh would. */
export function syncAll(...docs: Y.Doc[]): void {
  for (const from of docs) {
    for (const to of docs) {
      if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)))
    }
  }
}

/** A second replica of `doc`, as a peer that has synced once. */
export function replicaOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc()
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** Every ordering of `items`. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

/** The whole stored state of a room, as JSON (key order aside, which `toEqual` ignores). */
export function roomJson(doc: Y.Doc): unknown {
  return {
    meta: doc.getMap(META_KEY).toJSON(),
    chats: doc.getMap(CHATS_KEY).toJSON(),
    chatIndex: doc.getMap(CHAT_INDEX_KEY).toJSON(),
    chatEdits: doc.getMap(CHAT_EDITS_KEY).toJSON(),
    chatRoom: doc.getMap(CHAT_ROOM_META_KEY).toJSON(),
    messages: doc.getArray(CHAT_ROOM_MESSAGES_KEY).toJSON(),
    sidekiqs: doc.getMap(SIDEKIQS_KEY).toJSON(),
  }
}

/** Everything the readers return for a room; peers that converged return the same. */
export function readerView(doc: Y.Doc) {
  return {
    version: getSchemaVersion(doc),
    chats: listChats(doc),
    full: listChats(doc).map((c) => getChat(doc, c.id)),
    sidekiqs: listSidekiqs(doc),
  }
}

/** Collects what readers report as skipped. */
export function invalidCollector() {
  const invalid: InvalidValue[] = []
  return { invalid, onInvalid: (v: InvalidValue) => void invalid.push(v) }
}

/** The origin of every transaction the doc runs from now on. */
export function recordOrigins(doc: Y.Doc): unknown[] {
  const origins: unknown[] = []
  doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin))
  return origins
}

/** The raw `Y.Map` of a chat, for tests that write around the model on purpose. */
export function rawChat(doc: Y.Doc, chatId: string): Y.Map<unknown> {
  return doc.getMap<Y.Map<unknown>>(CHATS_KEY).get(chatId)!
}

/** The raw messages array of a chat. */
export function rawMessages(doc: Y.Doc, chatId: string): Y.Array<Y.Map<unknown>> {
  return rawChat(doc, chatId).get('messages') as Y.Array<Y.Map<unknown>>
}

/** Calls `fn` and returns what it threw, for asserting on `AppError` code and fields. */
export function thrown(fn: () => unknown): any {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

/** Fixes `Date.now()` at `at` for each test of the file, so written times are known. */
export function useFixedClock(at: number): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(at)
  })
  afterEach(() => {
    vi.useRealTimers()
  })
}

/**
 * The chat rooms of one index room, made on first use and stamped as their
 * chat's room, with what the sync server does after each chat room write:
 * the chat's activity written into its index entry.
 */
export function chatRoomsOf(index: Y.Doc) {
  const rooms = new Map<string, Y.Doc>()
  const room = (chatId: string): Y.Doc => {
    let doc = rooms.get(chatId)
    if (!doc) {
      doc = new Y.Doc()
      openChatRoom(doc, chatId)
      rooms.set(chatId, doc)
    }
    return doc
  }
  return {
    room,
    /** Writes the chat's activity into the index, as the server does after storing a chat room's update. */
    settle(chatId: string) {
      const activity = chatActivity(room(chatId), chatId)
      if (activity) recordChatActivity(index, chatId, activity, serverOrigin('chat-activity'))
    },
  }
}

/**
 * Writes a chat in the layout before decision 021 (`chats/<id>` with its
 * messages beside it), as an index room stored by an older version holds
 * it. The message writers still find such a chat, so tests fill it with them.
 */
export function createLegacyChat(
  doc: Y.Doc,
  fields: { id: string; createdBy: string; title?: string; createdAt?: number } & Record<string, unknown>,
): void {
  doc.transact(() => {
    const map = new Y.Map<unknown>()
    const createdAt = fields.createdAt ?? 1
    for (const [key, value] of Object.entries({
      title: '',
      updatedAt: createdAt,
      pinned: false,
      archived: false,
      ...fields,
      createdAt,
    }))
      map.set(key, value)
    map.set('messages', new Y.Array<unknown>())
    doc.getMap<unknown>(CHATS_KEY).set(fields.id, map)
  })
}
