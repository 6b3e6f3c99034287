import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { KEPT_LIST_CHATS, keepChatList, parseChatList } from '../../app/lib/sync/chat-list-cache'
import { createChat, deleteChat, renameChat, setArchived, setPinned } from '../../shared/doc'

/** The room's store as the kept list sees it: one value, written whole. */
function memoryStore() {
  const store = { value: undefined as string | undefined, writes: 0 }
  const write = async (stored: string) => {
    store.value = stored
    store.writes++
  }
  return { store, write, titles: () => parseChatList(store.value)?.chats.map((c) => c.title) }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the sidebar list kept on the device', () => {
  test('is written a moment after opening when none is kept, after changes, and flushed on stop', () => {
    const { write, titles } = memoryStore()
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    const stop = keepChatList(doc, write, null)
    expect(titles()).toBeUndefined()
    vi.advanceTimersByTime(1000)
    expect(titles()).toEqual(['First'])

    renameChat(doc, chat.id, 'Renamed')
    expect(titles()).toEqual(['First'])
    vi.advanceTimersByTime(1000)
    expect(titles()).toEqual(['Renamed'])

    // A change just before the room closes (a switch) is not lost.
    createChat(doc, { createdBy: 'u1', title: 'Second', createdAt: Date.now() + 1 })
    stop()
    expect(titles()).toEqual(['Second', 'Renamed'])
    renameChat(doc, chat.id, 'After stop')
    vi.advanceTimersByTime(5000)
    expect(titles()).toEqual(['Second', 'Renamed'])
  })

  test('a change still waiting is written when the page is left, and only then', () => {
    const { store, write, titles } = memoryStore()
    const doc = new Y.Doc()
    let leave: (() => void) | null = null
    const stop = keepChatList(doc, write, null, (listener) => {
      leave = listener
      return () => (leave = null)
    })
    createChat(doc, { createdBy: 'u1', title: 'Seen for half a second' })
    vi.advanceTimersByTime(500)
    expect(store.writes).toBe(0)
    leave!()
    expect(titles()).toEqual(['Seen for half a second'])
    // Nothing pending: leaving again (hidden, then pagehide) writes nothing more, nor does the timer.
    leave!()
    vi.advanceTimersByTime(5000)
    expect(store.writes).toBe(1)
    stop()
    expect(leave).toBeNull()
  })

  test('a list kept from this very state of the room is not written again on opening', () => {
    const { store, write } = memoryStore()
    const doc = new Y.Doc()
    createChat(doc, { createdBy: 'u1', title: 'First' })
    keepChatList(doc, write, null)()
    expect(store.writes).toBe(1)
    const kept = parseChatList(store.value)
    expect(kept?.stateVector).toEqual([...Y.encodeStateVector(doc)])

    // Reopened with nothing new: nothing to write.
    keepChatList(doc, write, kept)
    vi.advanceTimersByTime(5000)
    expect(store.writes).toBe(1)

    // Reopened after a change the kept list missed (the page closed before it was written): rewritten.
    const later = new Y.Doc()
    Y.applyUpdate(later, Y.encodeStateAsUpdate(doc))
    createChat(later, { createdBy: 'u1', title: 'Missed' })
    keepChatList(later, write, kept)
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(2)
    expect(parseChatList(store.value)?.chats.map((c) => c.title)).toContain('Missed')
  })

  test('a list kept by an earlier version (the chats alone) is read, and replaced on opening', () => {
    const { store, write } = memoryStore()
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    const kept = parseChatList(JSON.stringify([chat]))
    expect(kept).toEqual({ chats: [expect.objectContaining({ id: chat.id, title: 'First' })], stateVector: null })
    keepChatList(doc, write, kept)
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(1)
    expect(parseChatList(store.value)?.stateVector).not.toBeNull()
  })

  test('many changes in a second are one write; a transaction that changes nothing is none', () => {
    const { store, write } = memoryStore()
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    keepChatList(doc, write, null)
    for (let i = 0; i < 20; i++) renameChat(doc, chat.id, `Title ${i}`)
    doc.transact(() => {})
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(1)
    doc.transact(() => {})
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(1)
    deleteChat(doc, chat.id)
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(2)
  })

  test('holds the top of the sidebar: pinned, then the most recently active, archived ones left out', () => {
    const { store, write } = memoryStore()
    const doc = new Y.Doc()
    const start = Date.now()
    const ids = Array.from(
      { length: KEPT_LIST_CHATS + 50 },
      (_, i) => createChat(doc, { createdBy: 'u1', title: `Chat ${i}`, createdAt: start + i }).id,
    )
    setPinned(doc, ids[0], true)
    setArchived(doc, ids.at(-1)!, true)
    keepChatList(doc, write, null)()
    const kept = parseChatList(store.value)!.chats.map((c) => c.id)
    expect(kept).toHaveLength(KEPT_LIST_CHATS)
    expect(kept[0]).toBe(ids[0])
    expect(kept[1]).toBe(ids.at(-2))
    expect(kept).not.toContain(ids.at(-1))
    expect(kept.at(-1)).toBe(ids.at(-KEPT_LIST_CHATS))
  })

  test('a failing store is not an error for the room', async () => {
    const doc = new Y.Doc()
    createChat(doc, { createdBy: 'u1', title: 'First' })
    const failing = vi.fn(async () => {
      throw new Error('QuotaExceededError')
    })
    const stop = keepChatList(doc, failing, null)
    stop()
    await vi.runAllTimersAsync()
    expect(failing).toHaveBeenCalledTimes(1)
  })

  test('unreadable or foreign data reads as nothing kept', () => {
    expect(parseChatList(undefined)).toBeNull()
    expect(parseChatList('{broken')).toBeNull()
    expect(parseChatList(JSON.stringify([{ id: 1 }]))).toBeNull()
    expect(parseChatList(JSON.stringify({ chats: [], stateVector: ['x'] }))).toBeNull()
    expect(parseChatList(42)).toBeNull()
    expect(parseChatList('[]')).toEqual({ chats: [], stateVector: null })
  })
})
