import type * as Y from 'yjs'
import { z } from 'zod'
import { chatSummarySchema, listChats, type ChatSummary } from '../../../shared/doc'
import { onDocChanged } from './doc-changes'

/** How long after a change a kept copy is rewritten: a room can change many times a second. */
const WRITE_AFTER_MS = 1000

/**
 * The sidebar's list of an index room's chats, kept on the device beside the
 * room (in the room's own IndexedDB database, see kept-list-store): it shows
 * at once on the next visit and is replaced by the live room as soon as the
 * room has loaded. The chats themselves are kept as rooms of their own
 * (kept-chats), not as copies here.
 */
export function parseChatList(stored: unknown): ChatSummary[] | null {
  return parseKept(z.array(chatSummarySchema), stored)
}

/** Parses a kept JSON value with `schema`; null when absent or unreadable. */
export function parseKept<T>(schema: z.ZodType<T>, stored: unknown): T | null {
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
