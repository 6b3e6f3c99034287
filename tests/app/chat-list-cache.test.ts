import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { keepChatList, parseChatList } from '../../app/lib/sync/chat-list-cache'
import { createChat, renameChat } from '../../shared/doc'

/** The room's store as the kept list sees it: one value, written whole. */
function memoryStore() {
  const store = { value: undefined as string | undefined, writes: 0 }
  const write = async (stored: string) => {
    store.value = stored
    store.writes++
  }
  return { store, write, titles: () => parseChatList(store.value)?.map((c) => c.title) }
}

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the sidebar list kept on the device', () => {
  test('is written when kept, rewritten a moment after changes, and flushed on stop', () => {
    const { write, titles } = memoryStore()
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    const stop = keepChatList(doc, write)
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

  test('many changes in a second are one write; a transaction that changes nothing is none', () => {
    const { store, write } = memoryStore()
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    keepChatList(doc, write)
    for (let i = 0; i < 20; i++) renameChat(doc, chat.id, `Title ${i}`)
    doc.transact(() => {})
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(2)
    doc.transact(() => {})
    vi.advanceTimersByTime(1000)
    expect(store.writes).toBe(2)
  })

  test('a failing store is not an error for the room', async () => {
    const doc = new Y.Doc()
    createChat(doc, { createdBy: 'u1', title: 'First' })
    const failing = vi.fn(async () => {
      throw new Error('QuotaExceededError')
    })
    const stop = keepChatList(doc, failing)
    stop()
    await vi.runAllTimersAsync()
    expect(failing).toHaveBeenCalledTimes(1)
  })

  test('unreadable or foreign data reads as nothing kept', () => {
    expect(parseChatList(undefined)).toBeNull()
    expect(parseChatList('{broken')).toBeNull()
    expect(parseChatList(JSON.stringify([{ id: 1 }]))).toBeNull()
    expect(parseChatList(42)).toBeNull()
    expect(parseChatList('[]')).toEqual([])
  })
})
