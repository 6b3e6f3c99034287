import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  chatRecords,
  chatToRecord,
  createChat,
  createSidekiq,
  getChat,
  getSidekiq,
  importChat,
  importSidekiq,
  renameChat,
  serverOrigin,
  sidekiqRecords,
  sidekiqToRecord,
} from '../../shared/doc'
import { thrown } from './helpers'

const IMPORT = serverOrigin('import')

function chatWithAnswer(doc: Y.Doc) {
  createChat(doc, { id: 'c1', title: 'Plans', createdBy: 'u1', createdAt: 1_000, pinned: true })
  appendMessage(doc, 'c1', { id: 'q1', role: 'user', authorId: 'u1', content: 'Hello *there*', createdAt: 2_000 })
  appendMessage(doc, 'c1', {
    id: 'a1',
    role: 'assistant',
    authorId: 'u1',
    content: 'Hi.',
    createdAt: 3_000,
    model: 'demo',
    usage: { inputTokens: 12, outputTokens: 3, costMicros: 0 },
    replyTo: 'q1',
  })
}

describe('chat records', () => {
  test('a chat written from its record reads back equal, ids and times included', () => {
    const source = new Y.Doc()
    chatWithAnswer(source)
    const record = chatToRecord(source, 'c1')!
    const target = new Y.Doc()
    expect(importChat(target, record, IMPORT)).toEqual({ created: true, addedMessages: 2 })
    expect(getChat(target, 'c1')).toEqual(getChat(source, 'c1'))
    expect(chatRecords(target)).toEqual([record])
  })

  test('writing the same record again changes nothing, not even a Yjs update', () => {
    const source = new Y.Doc()
    chatWithAnswer(source)
    const record = chatToRecord(source, 'c1')!
    const target = new Y.Doc()
    importChat(target, record, IMPORT)
    const updates: Uint8Array[] = []
    target.on('update', (u: Uint8Array) => updates.push(u))
    expect(importChat(target, record, IMPORT)).toEqual({ created: false, addedMessages: 0 })
    expect(updates).toHaveLength(0)
  })

  test('a chat already there keeps its own fields and gains only the messages it lacks', () => {
    const source = new Y.Doc()
    chatWithAnswer(source)
    const record = chatToRecord(source, 'c1')!
    const target = new Y.Doc()
    importChat(target, { ...record, messages: record.messages.slice(0, 1) }, IMPORT)
    // Someone renamed it in the meantime: the import does not undo that.
    renameChat(target, 'c1', 'Renamed')
    expect(importChat(target, record, IMPORT)).toEqual({ created: false, addedMessages: 1 })
    const chat = getChat(target, 'c1')!
    expect(chat.title).toBe('Renamed')
    expect(chat.messages.map((m) => m.id)).toEqual(['q1', 'a1'])
    expect(chat.updatedAt).toBe(3_000)
  })

  test('an answer that was still being written is ended as interrupted', () => {
    const target = new Y.Doc()
    importChat(
      target,
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
    expect(getChat(target, 'c2')!.messages[0]).toMatchObject({ status: 'error', error: 'The answer was interrupted.' })
  })

  test('bad records are refused with the path of what is wrong', () => {
    const doc = new Y.Doc()
    const base = { id: 'c3', title: '', createdBy: 'u1', createdAt: 1, updatedAt: 1, pinned: false, archived: false }
    const message = { role: 'user', authorId: 'u1', content: 'x', createdAt: 1, status: 'done' } as const
    const repeated = thrown(() =>
      importChat(
        doc,
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
      importChat(doc, { ...base, messages: [{ id: 'm', ...message, replyTo: 'x' }] }, IMPORT),
    )
    expect(dangling.fields).toMatchObject({ 'messages.0.replyTo': expect.any(String) })
    const badId = thrown(() => importChat(doc, { ...base, id: 'has space', messages: [] }, IMPORT))
    expect(badId.code).toBe('BAD_REQUEST')
    expect(doc.getMap('chats').size).toBe(0)
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
