import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  chatsToDrop,
  chatsToKeep,
  chatsToSync,
  KEPT_OPENED_MS,
  KEPT_RECENT_CHATS,
  parseKeptChatRooms,
  recordOpened,
  recordSynced,
  recordUnsent,
} from '../../app/lib/sync/kept-chats'
import { createChat, listChats, recordChatActivity, serverOrigin } from '../../shared/doc'

const SERVER_ORIGIN_FOR_TESTS = serverOrigin('activity')

const NOW = 1_800_000_000_000
const DAY = 24 * 60 * 60 * 1000

/** An index room with `count` chats, chat i last active at NOW - i minutes. */
function indexWith(count: number) {
  const doc = new Y.Doc()
  for (let i = 0; i < count; i++) {
    createChat(doc, { id: `c${i}`, createdBy: 'u1', title: `Chat ${i}`, createdAt: NOW - i * 60_000 })
  }
  return doc
}

describe('which chats a device keeps for offline use', () => {
  test('the 50 most recently active chats of the index, and those opened in the last 30 days', () => {
    const doc = indexWith(KEPT_RECENT_CHATS + 20)
    const kept = recordOpened(recordOpened([], 'c65', NOW - 29 * DAY), 'c66', NOW - 31 * DAY)
    const keep = chatsToKeep(listChats(doc), kept, NOW)
    expect(keep.size).toBe(KEPT_RECENT_CHATS + 1)
    expect(keep.has('c0')).toBe(true)
    expect(keep.has(`c${KEPT_RECENT_CHATS - 1}`)).toBe(true)
    expect(keep.has(`c${KEPT_RECENT_CHATS}`)).toBe(false)
    expect(keep.has('c65')).toBe(true)
    // Opened longer ago than KEPT_OPENED_MS: no longer kept, its copy is dropped.
    expect(NOW - (NOW - 31 * DAY)).toBeGreaterThan(KEPT_OPENED_MS)
    expect(keep.has('c66')).toBe(false)
    expect(chatsToDrop(kept, keep)).toEqual(['c66'])
  })

  test('a chat no longer listed (deleted, moved) is dropped even if opened lately', () => {
    const doc = indexWith(3)
    const kept = recordOpened([], 'gone', NOW)
    const keep = chatsToKeep(listChats(doc), kept, NOW)
    expect(keep.has('gone')).toBe(false)
    expect(chatsToDrop(kept, keep)).toEqual(['gone'])
  })

  test('a kept copy is synced again when the index shows activity since, newest first', () => {
    const doc = indexWith(3)
    let kept = recordSynced(
      [],
      listChats(doc).find((c) => c.id === 'c1')!,
    )
    kept = recordSynced(
      kept,
      listChats(doc).find((c) => c.id === 'c2')!,
    )
    const keep = chatsToKeep(listChats(doc), kept, NOW)
    expect(chatsToSync(listChats(doc), kept, keep)).toEqual(['c0'])

    // The server records a new message in c2: its copy is behind.
    recordChatActivity(doc, 'c2', { messageCount: 1, updatedAt: NOW + 1000, preview: 'hi' }, SERVER_ORIGIN_FOR_TESTS)
    expect(chatsToSync(listChats(doc), kept, keep)).toEqual(['c2', 'c0'])
  })

  test('a chat written here and never sent is kept and synced until it has been, however old', () => {
    const doc = indexWith(KEPT_RECENT_CHATS + 5)
    const old = `c${KEPT_RECENT_CHATS + 4}`
    let kept = recordUnsent([], old)
    let keep = chatsToKeep(listChats(doc), kept, NOW)
    expect(keep.has(old)).toBe(true)
    expect(chatsToSync(listChats(doc), kept, keep)).toContain(old)
    kept = recordSynced(
      kept,
      listChats(doc).find((c) => c.id === old)!,
    )
    expect(kept.find((k) => k.chatId === old)?.unsent).toBeUndefined()
    keep = chatsToKeep(listChats(doc), kept, NOW)
    expect(keep.has(old)).toBe(false)
  })

  test('the kept list reads back as written; unreadable data reads as nothing kept', () => {
    const kept = recordSynced(recordOpened([], 'c1', NOW), listChats(indexWith(2))[1])
    expect(parseKeptChatRooms(JSON.stringify(kept))).toEqual(kept)
    expect(parseKeptChatRooms(undefined)).toEqual([])
    expect(parseKeptChatRooms('{broken')).toEqual([])
    expect(parseKeptChatRooms(JSON.stringify([{ chatId: 3 }]))).toEqual([])
  })
})
