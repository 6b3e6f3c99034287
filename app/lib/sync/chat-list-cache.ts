import type * as Y from 'yjs'
import { z } from 'zod'
import { chatSchema, chatSummarySchema, getChat, listChats, type Chat, type ChatSummary } from '../../../shared/doc'
import { onDocChanged } from './doc-changes'

/** How long after a change a kept copy is rewritten: a streaming answer changes the doc many times a second. */
const WRITE_AFTER_MS = 1000
/** How many recently opened chats a room keeps with their messages. */
export const KEPT_CHATS = 10

/**
 * Copies of what a room shows first, kept on the device beside the room (in
 * the room's own IndexedDB database, see kept-list-store): the sidebar's list
 * of its chats, and the recently opened chats with their messages. A big
 * workspace takes a moment to load, because the whole room (every message of
 * every chat) is decoded before anything can be read; these copies show at
 * once and are replaced by the live room as soon as it has loaded.
 */
export function parseChatList(stored: unknown): ChatSummary[] | null {
  return parseKept(z.array(chatSummarySchema), stored)
}

/** The recently opened chats kept with their messages, newest first; none when unreadable. */
export function parseKeptChats(stored: unknown): Chat[] {
  return parseKept(z.array(chatSchema), stored) ?? []
}

function parseKept<T>(schema: z.ZodType<T>, stored: unknown): T | null {
  try {
    if (typeof stored !== 'string') return null
    const parsed = schema.safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** Where a kept copy is written; a failure (storage full or blocked) only means the live room shows later. */
export type KeptStore = (stored: string) => Promise<unknown>

/**
 * Keeps the list current while the room is open: written now, then after
 * changes. Returns a stop function that writes a pending change at once,
 * so a switch away keeps the latest list.
 */
export function keepChatList(doc: Y.Doc, store: KeptStore): () => void {
  return keepWhileOpen(doc, () => store(JSON.stringify(listChats(doc))))
}

/**
 * Keeps an open chat first among the room's recently opened chats (`kept`,
 * shared by the chats of one room), as `keepChatList` keeps the list; a chat
 * no longer in the room is dropped from them.
 */
export function keepOpenChat(doc: Y.Doc, chatId: string, kept: { chats: Chat[] }, store: KeptStore): () => void {
  return keepWhileOpen(doc, () => {
    const chat = getChat(doc, chatId)
    const others = kept.chats.filter((c) => c.id !== chatId)
    kept.chats = (chat ? [chat, ...others] : others).slice(0, KEPT_CHATS)
    return store(JSON.stringify(kept.chats))
  })
}

/** Writes now, a moment after changes, and on stop if a change is pending. */
function keepWhileOpen(doc: Y.Doc, write: () => Promise<unknown>): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    timer = null
    write().catch(() => undefined)
  }
  const changed = () => {
    timer ??= setTimeout(flush, WRITE_AFTER_MS)
  }
  flush()
  const stop = onDocChanged(doc, changed)
  return () => {
    stop()
    if (timer) {
      clearTimeout(timer)
      flush()
    }
  }
}
