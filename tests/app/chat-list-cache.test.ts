import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { chatListKey, forgetChatList, keepChatList, readChatList } from '../../app/lib/sync/chat-list-cache'
import { createChat, renameChat } from '../../shared/doc'
import { MemoryStorage } from '../helpers/memory-storage'

const key = chatListKey('workspaces:u1:w/ws1')

beforeEach(() => {
  vi.stubGlobal('localStorage', new MemoryStorage())
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

describe('the sidebar list kept on the device', () => {
  test('is written when kept, rewritten a moment after changes, and flushed on stop', () => {
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    const stop = keepChatList(doc, key)
    expect(readChatList(key)?.map((c) => c.title)).toEqual(['First'])

    renameChat(doc, chat.id, 'Renamed')
    expect(readChatList(key)?.map((c) => c.title)).toEqual(['First'])
    vi.advanceTimersByTime(1000)
    expect(readChatList(key)?.map((c) => c.title)).toEqual(['Renamed'])

    // A change just before the room closes (a switch) is not lost.
    createChat(doc, { createdBy: 'u1', title: 'Second', createdAt: Date.now() + 1 })
    stop()
    expect(readChatList(key)?.map((c) => c.title)).toEqual(['Second', 'Renamed'])
    renameChat(doc, chat.id, 'After stop')
    vi.advanceTimersByTime(5000)
    expect(readChatList(key)?.map((c) => c.title)).toEqual(['Second', 'Renamed'])
  })

  test('unreadable or foreign data reads as nothing kept; forgetting removes it', () => {
    expect(readChatList(key)).toBeNull()
    localStorage.setItem(key, '{broken')
    expect(readChatList(key)).toBeNull()
    localStorage.setItem(key, JSON.stringify([{ id: 1 }]))
    expect(readChatList(key)).toBeNull()
    const stop = keepChatList(new Y.Doc(), key)
    stop()
    expect(readChatList(key)).toEqual([])
    forgetChatList(key)
    expect(localStorage.getItem(key)).toBeNull()
  })
})
