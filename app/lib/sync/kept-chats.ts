import { z } from 'zod'
import type { ChatSummary } from '../../../shared/doc'
import { parseKept } from './chat-list-cache'

/**
 * Which chats of an index room this device keeps for offline use, each as a
 * copy of its room in IndexedDB (decision 021): the most recently active
 * chats, and every chat the person opened lately. The list is kept beside
 * the index room (kept-list-store); this module is the plan, without I/O.
 */

/** How many of an index room's most recently active chats are kept. */
export const KEPT_RECENT_CHATS = 50
/** A chat opened on this device within this long is kept. */
export const KEPT_OPENED_MS = 30 * 24 * 60 * 60 * 1000

const keptChatRoom = z.object({
  chatId: z.string(),
  /** When the person last opened the chat here. */
  openedAt: z.number().optional(),
  /** The index's `updatedAt` and `messageCount` when the room's copy was last synced: newer activity syncs again. */
  syncedUpdatedAt: z.number().optional(),
  syncedMessageCount: z.number().optional(),
  /** Written on this device and not yet synced (a chat converted from the old layout here): kept until it is. */
  unsent: z.boolean().optional(),
})

/** One chat of the kept list. */
export type KeptChatRoom = z.output<typeof keptChatRoom>

/** The kept list as stored; empty when absent or unreadable (the chats are then fetched again). */
export function parseKeptChatRooms(stored: unknown): KeptChatRoom[] {
  return parseKept(z.array(keptChatRoom), stored) ?? []
}

/** The ids an index room keeps now: its 50 most recently active chats and those opened in the last 30 days. */
export function chatsToKeep(chats: readonly ChatSummary[], kept: readonly KeptChatRoom[], now: number): Set<string> {
  const listed = new Set(chats.map((c) => c.id))
  const recent = [...chats].sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1))
  const ids = new Set(recent.slice(0, KEPT_RECENT_CHATS).map((c) => c.id))
  for (const k of kept) {
    if (!listed.has(k.chatId)) continue
    if (k.unsent || (k.openedAt !== undefined && now - k.openedAt <= KEPT_OPENED_MS)) ids.add(k.chatId)
  }
  return ids
}

/**
 * The kept chats whose copy is behind the index (never synced, or activity
 * since), most recently active first: the order they are fetched in.
 */
export function chatsToSync(chats: readonly ChatSummary[], kept: readonly KeptChatRoom[], keep: Set<string>): string[] {
  const byId = new Map(kept.map((k) => [k.chatId, k]))
  return chats
    .filter((c) => keep.has(c.id))
    .filter((c) => {
      const k = byId.get(c.id)
      return !k || k.unsent || k.syncedUpdatedAt !== c.updatedAt || k.syncedMessageCount !== c.messageCount
    })
    .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1))
    .map((c) => c.id)
}

/** Kept chats no longer to keep (fallen out of the recent ones, or no longer listed): their copies are dropped. */
export function chatsToDrop(kept: readonly KeptChatRoom[], keep: Set<string>): string[] {
  return kept.filter((k) => !keep.has(k.chatId)).map((k) => k.chatId)
}

/** The list with `chatId` recorded as opened at `at`. */
export function recordOpened(kept: readonly KeptChatRoom[], chatId: string, at: number): KeptChatRoom[] {
  const existing = kept.find((k) => k.chatId === chatId)
  return [{ ...existing, chatId, openedAt: at }, ...kept.filter((k) => k.chatId !== chatId)]
}

/** The list with `chatId`'s copy recorded as synced with what the index said of it. */
export function recordSynced(kept: readonly KeptChatRoom[], chat: ChatSummary): KeptChatRoom[] {
  const existing = kept.find((k) => k.chatId === chat.id)
  const next = {
    ...existing,
    chatId: chat.id,
    syncedUpdatedAt: chat.updatedAt,
    syncedMessageCount: chat.messageCount,
    unsent: undefined,
  }
  return existing ? kept.map((k) => (k.chatId === chat.id ? next : k)) : [...kept, next]
}

/** The list with `chatId` recorded as written here and not yet synced. */
export function recordUnsent(kept: readonly KeptChatRoom[], chatId: string): KeptChatRoom[] {
  const existing = kept.find((k) => k.chatId === chatId)
  return [{ ...existing, chatId, unsent: true }, ...kept.filter((k) => k.chatId !== chatId)]
}
