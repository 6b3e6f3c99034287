import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  chatActivity,
  chatRecords,
  chatToRecord,
  createChat,
  createSidekiq,
  getChat,
  getSidekiq,
  importChat,
  importChatEntry,
  importChatMessages,
  importSidekiq,
  listChats,
  openChatRoom,
  recordChatActivity,
  renameChat,
  serverOrigin,
  sidekiqRecords,
  sidekiqToRecord,
} from '../../shared/doc'
import { thrown } from './helpers'

const IMPORT = serverOrigin('import')

/** An index room and a chat room (decision 021). */
function rooms() {
  return { index: new Y.Doc(), room: new Y.Doc() }
}

function chatWithAnswer({ index, room }: { index: Y.Doc; room: Y.Doc }) {
  createChat(index, { id: 'c1', title: 'Plans', createdBy: 'u1', createdAt: 1_000, pinned: true })
  openChatRoom(room, 'c1')
  appendMessage(room, 'c1', { id: 'q1', role: 'user', authorId: 'u1', content: 'Hello *there*', createdAt: 2_000 })
  appendMessage(room, 'c1', {
    id: 'a1',
    role: 'assistant',
    authorId: 'u1',
    content: 'Hi.',
    createdAt: 3_000,
    model: 'demo',
    usage: { inputTokens: 12, outputTokens: 3, costMicros: 0 },
    replyTo: 'q1',
  })
  // What the server does after storing the chat room's changes.
  recordChatActivity(index, 'c1', chatActivity(room, 'c1')!, serverOrigin('activity'))
}

describe('chat records', () => {
  test('a chat written from its record reads back equal, ids and times included, its activity in the index', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    expect(record.messages.map((m) => m.id)).toEqual(['q1', 'a1'])
    const target = rooms()
    expect(importChat(target.index, target.room, record, IMPORT)).toEqual({ created: true, addedMessages: 2 })
    expect(getChat(target.index, 'c1', target.room)).toMatchObject({
      ...record,
      messageCount: 2,
      lastAuthorId: 'u1',
      lastRole: 'assistant',
      preview: 'Hi.',
    })
    // The messages are in the chat's room, not beside its index entry.
    expect(getChat(target.index, 'c1')!.messages).toEqual([])
    expect(chatRecords(target.index, () => target.room)).toEqual([record])
  })

  test('writing the same record again changes nothing in either room, not even a Yjs update', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    const target = rooms()
    importChat(target.index, target.room, record, IMPORT)
    const updates: Uint8Array[] = []
    target.index.on('update', (u: Uint8Array) => updates.push(u))
    target.room.on('update', (u: Uint8Array) => updates.push(u))
    expect(importChat(target.index, target.room, record, IMPORT)).toEqual({ created: false, addedMessages: 0 })
    expect(updates).toHaveLength(0)
  })

  test('a chat already there keeps its own fields and gains only the messages it lacks', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    const target = rooms()
    importChat(target.index, target.room, { ...record, messages: record.messages.slice(0, 1) }, IMPORT)
    // Someone renamed it in the meantime: the import does not undo that.
    renameChat(target.index, 'c1', 'Renamed')
    expect(importChat(target.index, target.room, record, IMPORT)).toEqual({ created: false, addedMessages: 1 })
    const chat = getChat(target.index, 'c1', target.room)!
    expect(chat.title).toBe('Renamed')
    expect(chat.messages.map((m) => m.id)).toEqual(['q1', 'a1'])
    expect(chat).toMatchObject({ updatedAt: 3_000, messageCount: 2, preview: 'Hi.' })
  })

  test('the two steps run apart (two stored changes): killed between them, running both again lists the chat once', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    const target = rooms()
    expect(importChatMessages(target.room, record, IMPORT)).toBe(2)
    // Killed here: the room holds the messages, the index does not list the chat yet.
    expect(listChats(target.index)).toEqual([])
    expect(importChatMessages(target.room, record, IMPORT)).toBe(0)
    expect(importChatEntry(target.index, record, { messageCount: 2, updatedAt: 3_000 }, IMPORT)).toBe(true)
    expect(importChatEntry(target.index, record, { messageCount: 2, updatedAt: 3_000 }, IMPORT)).toBe(false)
    expect(chatRecords(target.index, () => target.room)).toEqual([record])
  })

  test('a room that belongs to another chat, or an id the index holds unreadable, is refused before any write', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    const target = rooms()
    openChatRoom(target.room, 'other')
    expect(thrown(() => importChat(target.index, target.room, record, IMPORT)).code).toBe('CONFLICT')
    const broken = rooms()
    broken.index.getMap('chatIndex').set('c1', 'not a chat')
    expect(thrown(() => importChat(broken.index, broken.room, record, IMPORT)).code).toBe('CONFLICT')
    expect(broken.room.getArray('messages').length).toBe(0)
  })

  test('a chat still in the old layout keeps its metadata; its messages go to its room without doubling', () => {
    const source = rooms()
    chatWithAnswer(source)
    const record = chatToRecord(source.index, 'c1', source.room)!
    const target = rooms()
    const old = new Y.Map<unknown>()
    target.index.getMap('chats').set('c1', old)
    for (const [k, v] of Object.entries({ ...record, title: 'Old title', messages: new Y.Array() })) old.set(k, v)
    expect(importChat(target.index, target.room, record, IMPORT)).toEqual({ created: false, addedMessages: 2 })
    expect(getChat(target.index, 'c1', target.room)).toMatchObject({ title: 'Old title', messageCount: 2 })
    expect(listChats(target.index)).toHaveLength(1)
  })

  test('an answer that was still being written is ended as interrupted', () => {
    const target = rooms()
    importChat(
      target.index,
      target.room,
      {
        id: 'c2',
        title: '',
        createdBy: 'u1',
        createdAt: 1,
        updatedAt: 1,
        pinned: false,
        archived: false,
        messages: [{ id: 'a', role: 'assistant', authorId: 'u1', content: 'Half', createdAt: 1, status: 'streaming' }],
      },
      IMPORT,
    )
    expect(getChat(target.index, 'c2', target.room)!.messages[0]).toMatchObject({
      status: 'error',
      error: 'The answer was interrupted.',
    })
  })

  test('bad records are refused with the path of what is wrong', () => {
    const { index, room } = rooms()
    const base = { id: 'c3', title: '', createdBy: 'u1', createdAt: 1, updatedAt: 1, pinned: false, archived: false }
    const message = { role: 'user', authorId: 'u1', content: 'x', createdAt: 1, status: 'done' } as const
    const repeated = thrown(() =>
      importChat(
        index,
        room,
        {
          ...base,
          messages: [
            { id: 'm', ...message },
            { id: 'm', ...message },
          ],
        },
        IMPORT,
      ),
    )
    expect(repeated.code).toBe('BAD_REQUEST')
    expect(repeated.fields).toMatchObject({ 'messages.1.id': expect.any(String) })
    const dangling = thrown(() =>
      importChat(index, room, { ...base, messages: [{ id: 'm', ...message, replyTo: 'x' }] }, IMPORT),
    )
    expect(dangling.fields).toMatchObject({ 'messages.0.replyTo': expect.any(String) })
    const badId = thrown(() => importChat(index, room, { ...base, id: 'has space', messages: [] }, IMPORT))
    expect(badId.code).toBe('BAD_REQUEST')
    expect(listChats(index)).toEqual([])
    expect(room.getArray('messages').length).toBe(0)
  })
})

describe('sidekiq records', () => {
  test('a sidekiq written from its record reads back equal; a second write is skipped', () => {
    const source = new Y.Doc()
    createSidekiq(source, {
      id: 's1',
      name: 'Writer',
      instructions: 'Write well.',
      conversationStarters: ['Draft a memo'],
      model: 'demo',
      favorite: true,
      createdBy: 'u1',
      createdAt: 5,
    })
    const record = sidekiqToRecord(source, 's1')!
    const target = new Y.Doc()
    expect(importSidekiq(target, record, IMPORT)).toBe(true)
    expect(getSidekiq(target, 's1')).toEqual(getSidekiq(source, 's1'))
    expect(importSidekiq(target, record, IMPORT)).toBe(false)
    expect(sidekiqRecords(target)).toEqual([record])
  })

  test('a name another sidekiq holds gets a number', () => {
    const doc = new Y.Doc()
    createSidekiq(doc, { id: 's1', name: 'Writer', model: 'demo', createdBy: 'u1' })
    const record = { ...sidekiqToRecord(doc, 's1')!, id: 's2', name: 'writer' }
    importSidekiq(doc, record, IMPORT)
    importSidekiq(doc, { ...record, id: 's3' }, IMPORT)
    expect(getSidekiq(doc, 's2')!.name).toBe('writer (2)')
    expect(getSidekiq(doc, 's3')!.name).toBe('writer (3)')
  })
})
