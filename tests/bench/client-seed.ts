/**
 * The content of the client bench's workspaces, built in Node with the
 * shared/doc mutations (as the app writes it), and stored as the server's
 * rooms: the browser then loads each workspace once from the server, as a
 * person would, and keeps it in IndexedDB.
 */
import * as Y from 'yjs'
import { appendMessage, createChat, LOCAL_ORIGIN } from '../../shared/doc'
import { privateRoom, sharedRoom } from '../../shared/rooms'
import { appendUpdate } from '../../db/room-storage'
import { createDatabase } from '../../db/client'
import { prose, random } from './seed-text'

export const CHATS = 1_000
export const MESSAGES_PER_CHAT = 20
/** How many chats the bench can open for the first time (one per load). */
export const UNOPENED_CHATS = 21
/** A quarter of the chats are the person's private ones, the rest are shared. */
export const PRIVATE_CHATS = 250

export interface SeededChat {
  id: string
  title: string
  /** The start of its last message's text: what the page shows once the chat is open. */
  lastMessageStart: string
}

export interface SeededWorkspace {
  workspaceId: string
  sharedUpdate: Uint8Array
  privateUpdate: Uint8Array
  /** The most recently active chat of each room: the top of its sidebar list. */
  newestShared: SeededChat
  newestPrivate: SeededChat
  /** A shared chat near the top of the list, opened by the chat figures. */
  sample: SeededChat
  /** Shared chats further down, each opened once by the bench: a chat this device has not shown before. */
  unopened: SeededChat[]
  messages: number
}

/**
 * Builds a workspace of CHATS chats of MESSAGES_PER_CHAT messages each
 * (200 to 800 characters, people and assistant taking turns, titles set),
 * active over the last 90 days. `label` starts every title, so two
 * workspaces' sidebars never list the same one.
 */
export function buildWorkspace(label: string, workspaceId: string, userId: string, seed: number): SeededWorkspace {
  const next = random(seed)
  const shared = new Y.Doc()
  const mine = new Y.Doc()
  const start = Date.now() - 90 * 24 * 3600_000
  const step = (90 * 24 * 3600_000) / CHATS
  const built: { doc: Y.Doc; chat: SeededChat }[] = []
  let messages = 0
  for (let i = 0; i < CHATS; i++) {
    // Every fourth chat is private, so both lists span the whole period.
    const doc = i % 4 === 3 ? mine : shared
    const createdAt = Math.round(start + i * step)
    const title = `${label} ${String(i).padStart(4, '0')}: ${prose(next, 20 + Math.floor(next() * 40))}`
    const chat = createChat(doc, { title, createdBy: userId, createdAt }, LOCAL_ORIGIN)
    let last = ''
    for (let m = 0; m < MESSAGES_PER_CHAT; m++) {
      last = prose(next, 200 + Math.floor(next() * 601))
      appendMessage(
        doc,
        chat.id,
        {
          role: m % 2 === 0 ? 'user' : 'assistant',
          authorId: userId,
          content: last,
          createdAt: createdAt + m * 60_000,
          status: 'done',
          ...(m % 2 === 1 ? { model: 'openai:gpt-4o-mini' } : {}),
        },
        LOCAL_ORIGIN,
      )
      messages++
    }
    built.push({ doc, chat: { id: chat.id, title, lastMessageStart: last.slice(0, 60) } })
  }
  const newest = (doc: Y.Doc) => built.filter((b) => b.doc === doc).at(-1)!.chat
  const sharedChats = built.filter((b) => b.doc === shared)
  const seeded: SeededWorkspace = {
    workspaceId,
    sharedUpdate: Y.encodeStateAsUpdate(shared),
    privateUpdate: Y.encodeStateAsUpdate(mine),
    newestShared: newest(shared),
    newestPrivate: newest(mine),
    sample: sharedChats[sharedChats.length - 3].chat,
    unopened: sharedChats.slice(100, 100 + UNOPENED_CHATS).map((b) => b.chat),
    messages,
  }
  shared.destroy()
  mine.destroy()
  return seeded
}

/** Stores both rooms in the server's database, before any client opened them. */
export async function storeWorkspace(databaseUrl: string, userId: string, seeded: SeededWorkspace) {
  const database = createDatabase(databaseUrl)
  try {
    await appendUpdate(database.db, sharedRoom(seeded.workspaceId), seeded.workspaceId, seeded.sharedUpdate)
    await appendUpdate(database.db, privateRoom(seeded.workspaceId, userId), seeded.workspaceId, seeded.privateUpdate)
  } finally {
    await database.close()
  }
}
