import * as Y from 'yjs'
import { z } from 'zod'
import { chatSummarySchema, listChats, type ChatSummary } from '../../../shared/doc'
import { onDocChanged } from './doc-changes'

/** How long after a change a kept copy is rewritten: a room can change many times a second. */
const WRITE_AFTER_MS = 1000

/** How many chats the kept list holds: more than the sidebar shows before "Show more". */
export const KEPT_LIST_CHATS = 200

/**
 * The top of the sidebar's list of an index room's chats (pinned, then the
 * most recently active; archived ones left out), kept on the device beside
 * the room (in the room's own IndexedDB database, see kept-list-store): it
 * shows at once on the next visit, and says where the chat on screen is,
 * before the room has decoded; the live room then replaces it. Only the
 * top: a list of every chat of a big workspace is megabytes, which
 * IndexedDB stores as a file of its own and takes a tenth of a second or
 * more to read back. The chats themselves are kept as rooms of their own
 * (kept-chats), not as copies here. The room's state vector when the list
 * was written says whether the list is still the room's, so a page load
 * does not write what is already there.
 */
export interface KeptChatList {
  readonly chats: ChatSummary[]
  /** The room's state vector the list was read from; null for lists kept before it was recorded. */
  readonly stateVector: number[] | null
}

const keptChatList = z.object({ chats: z.array(chatSummarySchema), stateVector: z.array(z.number().int()) })

export function parseChatList(stored: unknown): KeptChatList | null {
  const kept = parseKept(keptChatList, stored)
  if (kept) return kept
  // Lists kept by earlier versions: the chats alone.
  const chats = parseKept(z.array(chatSummarySchema), stored)
  return chats ? { chats, stateVector: null } : null
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

/** Subscribes to the last moment a pending write can still start; returns the unsubscribe. */
export type OnPageLeave = (listener: () => void) => () => void

/**
 * Keeps the list current while the room is open: written a moment after
 * changes, and a moment after opening unless `kept` is already this room's
 * list. A pending write is made at once when the page is left or hidden
 * (a visit shorter than the moment would otherwise keep nothing, and the
 * next page load, offline, would not know where its chat is), and on the
 * returned stop function, so a switch away keeps the latest list.
 */
export function keepChatList(
  doc: Y.Doc,
  store: KeptStore,
  kept: KeptChatList | null,
  onLeave: OnPageLeave = onPageLeave,
): () => void {
  const stateVector = () => [...Y.encodeStateVector(doc)]
  const write = () => store(JSON.stringify({ chats: keptTop(doc), stateVector: stateVector() }))
  const current = kept?.stateVector ? sameNumbers(kept.stateVector, stateVector()) : false
  return keepWhileOpen(doc, write, !current, onLeave)
}

/** Writes a moment after changes (and after opening, if `stale`), and on leave or stop if a write is pending. */
function keepWhileOpen(doc: Y.Doc, write: () => Promise<unknown>, stale: boolean, onLeave: OnPageLeave): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    timer = null
    write().catch(() => undefined)
  }
  const changed = () => {
    timer ??= setTimeout(flush, WRITE_AFTER_MS)
  }
  const flushPending = () => {
    if (!timer) return
    clearTimeout(timer)
    flush()
  }
  if (stale) changed()
  const stopChanges = onDocChanged(doc, changed)
  const stopLeave = onLeave(flushPending)
  return () => {
    stopChanges()
    stopLeave()
    flushPending()
  }
}

/**
 * The page is being left or hidden: an IndexedDB write started now still
 * completes, one started on a timer after it never does.
 */
function onPageLeave(listener: () => void): () => void {
  if (typeof window === 'undefined') return () => {}
  const hidden = () => {
    if (document.visibilityState === 'hidden') listener()
  }
  window.addEventListener('pagehide', listener)
  document.addEventListener('visibilitychange', hidden)
  return () => {
    window.removeEventListener('pagehide', listener)
    document.removeEventListener('visibilitychange', hidden)
  }
}

/** The chats the sidebar lists first. */
function keptTop(doc: Y.Doc): ChatSummary[] {
  const top: ChatSummary[] = []
  for (const chat of listChats(doc)) {
    if (chat.archived) continue
    top.push(chat)
    if (top.length === KEPT_LIST_CHATS) break
  }
  return top
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i])
}
