import * as Y from 'yjs'
import { beforeEach, describe, expect, test } from 'vitest'
import {
  chatSidekiqLabel,
  createChat,
  createSidekiq,
  deleteSidekiq,
  getChat,
  listChats,
  moveChat,
  serverOrigin,
  setChatSidekiq,
  updateSidekiq,
} from '../../shared/doc'
import { thrown } from './helpers'

let shared: Y.Doc
beforeEach(() => {
  shared = new Y.Doc()
  createSidekiq(shared, { id: 's1', name: 'Writer', model: 'demo', createdBy: 'u1' })
})

describe('a chat started with a sidekiq records its name', () => {
  test('the name is kept in the summary and the full chat, trimmed', () => {
    const chat = createChat(shared, { id: 'c1', createdBy: 'u1', sidekiqId: 's1', sidekiqName: '  Writer ' })
    expect(chat).toMatchObject({ sidekiqId: 's1', sidekiqName: 'Writer' })
    expect(getChat(shared, 'c1')).toMatchObject({ sidekiqName: 'Writer' })
    expect(listChats(shared)[0]).toMatchObject({ sidekiqName: 'Writer' })
  })

  test('a chat without one has no sidekiqName key at all', () => {
    expect(createChat(shared, { id: 'c1', createdBy: 'u1' })).not.toHaveProperty('sidekiqName')
  })

  test('the name is validated like a sidekiq name', () => {
    expect(thrown(() => createChat(shared, { createdBy: 'u1', sidekiqName: '  ' })).fields).toHaveProperty(
      'sidekiqName',
    )
    expect(thrown(() => createChat(shared, { createdBy: 'u1', sidekiqName: 'x'.repeat(81) })).code).toBe('BAD_REQUEST')
    expect(listChats(shared)).toEqual([])
  })

  test('moving the chat to another room keeps the name', () => {
    const privateRoom = new Y.Doc()
    createChat(privateRoom, { id: 'c1', createdBy: 'u1', sidekiqId: 's1', sidekiqName: 'Writer' })
    expect(moveChat(privateRoom, shared, 'c1', serverOrigin('test'))).toMatchObject({ sidekiqName: 'Writer' })
  })
})

describe('chatSidekiqLabel', () => {
  test('null for a chat without a sidekiq', () => {
    expect(chatSidekiqLabel(shared, createChat(shared, { createdBy: 'u1' }))).toBeNull()
  })

  test('follows a rename while the sidekiq exists', () => {
    const chat = createChat(shared, { createdBy: 'u1', sidekiqId: 's1', sidekiqName: 'Writer' })
    updateSidekiq(shared, 's1', { name: 'Editor' })
    expect(chatSidekiqLabel(shared, chat)).toMatchObject({ name: 'Editor', deleted: false, sidekiq: { id: 's1' } })
  })

  test('after a delete, the chat still says who it talked to, marked deleted', () => {
    const chat = createChat(shared, { createdBy: 'u1', sidekiqId: 's1', sidekiqName: 'Writer' })
    deleteSidekiq(shared, 's1')
    expect(chatSidekiqLabel(shared, chat)).toEqual({ name: 'Writer', deleted: true, sidekiq: null })
  })

  test('a chat written before names were recorded gets a generic name once its sidekiq is gone', () => {
    const chat = createChat(shared, { createdBy: 'u1', sidekiqId: 'gone' })
    expect(chatSidekiqLabel(shared, chat)).toEqual({ name: 'Sidekiq', deleted: true, sidekiq: null })
  })
})

describe('setChatSidekiq', () => {
  test('sets and clears the sidekiq with its name; bad input is refused', () => {
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1' })
    expect(setChatSidekiq(doc, chat.id, { id: 's1', name: 'Writer' })).toMatchObject({
      sidekiqId: 's1',
      sidekiqName: 'Writer',
    })
    const cleared = setChatSidekiq(doc, chat.id, null)
    expect(cleared.sidekiqId).toBeUndefined()
    expect(cleared.sidekiqName).toBeUndefined()
    expect(() => setChatSidekiq(doc, chat.id, { id: 's1', name: '' })).toThrow()
    expect(() => setChatSidekiq(doc, 'nope', { id: 's1', name: 'W' })).toThrow('Chat not found')
  })
})
