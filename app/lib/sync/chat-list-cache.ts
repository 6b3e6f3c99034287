import type * as Y from 'yjs'
import { z } from 'zod'
import { chatSummarySchema, listChats, type ChatSummary } from '../../../shared/doc'
import { onDocChanged } from './doc-changes'

/** How long after a change the kept list is rewritten: a streaming answer changes the doc many times a second. */
const WRITE_AFTER_MS = 1000

/**
 * The sidebar's list of a room's chats, kept on the device beside the room
 * (in the room's own IndexedDB database, see kept-list-store). A big
 * workspace takes a moment to load, because the whole room (every message)
 * is decoded before anything can be read; this list, a few hundred bytes per
 * chat, shows at once and is replaced by the live one as soon as the room
 * has loaded.
 */
export function parseChatList(stored: unknown): ChatSummary[] | null {
  try {
    if (typeof stored !== 'string') return null
    const parsed = z.array(chatSummarySchema).safeParse(JSON.parse(stored))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/**
 * Keeps the list current while the room is open: written now, then after
 * changes. Returns a stop function that writes a pending change at once,
 * so a switch away keeps the latest list.
 */
export function keepChatList(doc: Y.Doc, store: (stored: string) => Promise<unknown>): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const write = () => {
    timer = null
    // Storage full or blocked: the live list still shows once the room loads.
    store(JSON.stringify(listChats(doc))).catch(() => undefined)
  }
  const changed = () => {
    timer ??= setTimeout(write, WRITE_AFTER_MS)
  }
  write()
  const stop = onDocChanged(doc, changed)
  return () => {
    stop()
    if (timer) {
      clearTimeout(timer)
      write()
    }
  }
}
