import * as Y from 'yjs'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { AppError } from '../../shared/errors'
import {
  appendMessage,
  createChat,
  deleteChat,
  getChat,
  listChats,
  renameChat,
  setArchived,
  setPinned,
} from '../../shared/doc'
import { chatRoomsOf, thrown, useFixedClock } from './helpers'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

// `doc` is an index room; each chat's messages go to its own room.
let doc: Y.Doc
let rooms: ReturnType<typeof chatRoomsOf>
useFixedClock(1_000)
beforeEach(() => {
  doc = new Y.Doc()
  rooms = chatRoomsOf(doc)
})

describe('createChat', () => {
  test('creates an empty, untitled, unpinned chat with a new id and the current time', () => {
    const chat = createChat(doc, { createdBy: 'u1' })
    expect(chat.id).toMatch(UUID)
    expect(chat).toEqual({
      id: chat.id,
      title: '',
      createdBy: 'u1',
      createdAt: 1_000,
      updatedAt: 1_000,
      pinned: false,
      archived: false,
      messageCount: 0,
    })
    expect(getChat(doc, chat.id)).toEqual({ ...chat, messages: [] })
  })

  test("keeps the caller's id, title, time, sidekiq and pin", () => {
    const chat = createChat(doc, {
      id: 'c1',
      title: '  Plans  ',
      createdBy: 'u1',
      createdAt: 42,
      sidekiqId: 's1',
      pinned: true,
    })
    expect(chat).toEqual({
      id: 'c1',
      title: 'Plans',
      createdBy: 'u1',
      createdAt: 42,
      updatedAt: 42,
      sidekiqId: 's1',
      pinned: true,
      archived: false,
      messageCount: 0,
    })
  })

  test('refuses an id already taken, keeping the first chat and its messages', () => {
    createChat(doc, { id: 'c1', createdBy: 'u1', title: 'First' })
    appendMessage(rooms.room('c1'), 'c1', { id: 'm1', role: 'user', authorId: 'u1', content: 'hi' })
    const error = thrown(() => createChat(doc, { id: 'c1', createdBy: 'u2', title: 'Second' }))
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('CONFLICT')
    expect(getChat(doc, 'c1', rooms.room('c1'))).toMatchObject({ title: 'First', messages: [{ id: 'm1' }] })
  })

  test('lists the chat in the index only: its messages are not in the index room', () => {
    createChat(doc, { id: 'c1', createdBy: 'u1' })
    expect(thrown(() => appendMessage(doc, 'c1', { role: 'user', authorId: 'u1', content: 'hi' })).code).toBe(
      'NOT_FOUND',
    )
  })

  test('rejects bad input naming the fields, and writes nothing', () => {
    const error = thrown(() =>
      createChat(doc, { createdBy: '', title: 'x'.repeat(201), colour: 'red' } as unknown as { createdBy: string }),
    )
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('BAD_REQUEST')
    expect(Object.keys(error.fields).sort()).toEqual(['colour', 'createdBy', 'title'])
    expect(thrown(() => createChat(doc, { id: 'has space', createdBy: 'u1' })).fields).toHaveProperty('id')
    expect(listChats(doc)).toEqual([])
  })
})

describe('listChats', () => {
  test('lists pinned chats first, then the most recently active, with ties by id', () => {
    createChat(doc, { id: 'old', createdBy: 'u1', createdAt: 10 })
    createChat(doc, { id: 'new', createdBy: 'u1', createdAt: 30 })
    createChat(doc, { id: 'b-tie', createdBy: 'u1', createdAt: 20 })
    createChat(doc, { id: 'a-tie', createdBy: 'u1', createdAt: 20 })
    createChat(doc, { id: 'pinned-old', createdBy: 'u1', createdAt: 1, pinned: true })
    expect(listChats(doc).map((c) => c.id)).toEqual(['pinned-old', 'new', 'a-tie', 'b-tie', 'old'])
  })

  test('a new message lifts its chat to the top once its activity reaches the index', () => {
    createChat(doc, { id: 'a', createdBy: 'u1', createdAt: 10 })
    createChat(doc, { id: 'b', createdBy: 'u1', createdAt: 20 })
    appendMessage(rooms.room('a'), 'a', { role: 'user', authorId: 'u2', content: 'hi  there\n you', createdAt: 50 })
    expect(listChats(doc).map((c) => c.id)).toEqual(['b', 'a'])
    rooms.settle('a')
    expect(listChats(doc).map((c) => [c.id, c.updatedAt])).toEqual([
      ['a', 50],
      ['b', 20],
    ])
    expect(listChats(doc)[0]).toMatchObject({
      messageCount: 1,
      lastAuthorId: 'u2',
      lastRole: 'user',
      preview: 'hi there you',
    })
  })

  test('a message stamped earlier than the last activity does not move updatedAt back', () => {
    createChat(doc, { id: 'a', createdBy: 'u1', createdAt: 100 })
    appendMessage(rooms.room('a'), 'a', { role: 'user', authorId: 'u1', content: 'from a slow clock', createdAt: 40 })
    rooms.settle('a')
    expect(getChat(doc, 'a')).toMatchObject({ updatedAt: 100, messageCount: 1 })
  })

  test('lists archived chats with their flag', () => {
    createChat(doc, { id: 'a', createdBy: 'u1' })
    setArchived(doc, 'a', true)
    expect(listChats(doc)).toMatchObject([{ id: 'a', archived: true }])
  })
})

describe('getChat', () => {
  test('returns null for an unknown chat', () => {
    expect(getChat(doc, 'nope')).toBeNull()
  })

  test('returns the messages in the order they were appended', () => {
    createChat(doc, { id: 'c1', createdBy: 'u1' })
    const room = rooms.room('c1')
    appendMessage(room, 'c1', { id: 'm1', role: 'user', authorId: 'u1', content: 'one', createdAt: 5 })
    appendMessage(room, 'c1', { id: 'm2', role: 'assistant', authorId: 'u1', content: 'two', createdAt: 3 })
    expect(getChat(doc, 'c1')?.messages).toEqual([])
    expect(getChat(doc, 'c1', room)?.messages.map((m) => [m.id, m.content])).toEqual([
      ['m1', 'one'],
      ['m2', 'two'],
    ])
  })
})

describe('chat metadata', () => {
  beforeEach(() => {
    createChat(doc, { id: 'c1', createdBy: 'u1', title: 'Before' })
    vi.setSystemTime(5_000)
  })

  test('renameChat trims the title and leaves updatedAt alone', () => {
    expect(renameChat(doc, 'c1', '  After ')).toMatchObject({ title: 'After', updatedAt: 1_000 })
    expect(getChat(doc, 'c1')?.title).toBe('After')
  })

  test('renameChat refuses an empty title', () => {
    const error = thrown(() => renameChat(doc, 'c1', '   '))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.fields).toHaveProperty('title')
    expect(getChat(doc, 'c1')?.title).toBe('Before')
  })

  test('setPinned and setArchived set and clear their flags', () => {
    expect(setPinned(doc, 'c1', true).pinned).toBe(true)
    expect(setArchived(doc, 'c1', true).archived).toBe(true)
    expect(getChat(doc, 'c1')).toMatchObject({ pinned: true, archived: true, updatedAt: 1_000 })
    setPinned(doc, 'c1', false)
    setArchived(doc, 'c1', false)
    expect(getChat(doc, 'c1')).toMatchObject({ pinned: false, archived: false })
  })

  test('setPinned refuses a non-boolean', () => {
    expect(thrown(() => setPinned(doc, 'c1', 'yes' as unknown as boolean)).fields).toHaveProperty('pinned')
  })

  test('deleteChat removes the chat from the index', () => {
    appendMessage(rooms.room('c1'), 'c1', { role: 'user', authorId: 'u1', content: 'bye' })
    deleteChat(doc, 'c1')
    expect(getChat(doc, 'c1')).toBeNull()
    expect(listChats(doc)).toEqual([])
  })

  test.each([
    ['renameChat', () => renameChat(doc, 'nope', 'x')],
    ['setPinned', () => setPinned(doc, 'nope', true)],
    ['setArchived', () => setArchived(doc, 'nope', true)],
    ['deleteChat', () => deleteChat(doc, 'nope')],
  ])('%s of an unknown chat throws NOT_FOUND', (_name, act) => {
    const error = thrown(act)
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('NOT_FOUND')
  })
})
