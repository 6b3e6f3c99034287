import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import { AppError } from '../../shared/errors'
import {
  appendMessage,
  appendToContent,
  createChat,
  getChat,
  listChats,
  moveChat,
  renameChat,
  serverOrigin,
  setMessageStatus,
  setPinned,
} from '../../shared/doc'
import { rawChat, rawMessages, recordOrigins, replicaOf, roomJson, syncAll, thrown } from './helpers'

const origin = serverOrigin('move-chat')

/** A private room with one chat holding every kind of content, and an empty shared room. */
function rooms() {
  const privateRoom = new Y.Doc()
  const sharedRoom = new Y.Doc()
  createChat(privateRoom, { id: 'c1', createdBy: 'u1', title: 'Plans', createdAt: 1, sidekiqId: 's1' })
  setPinned(privateRoom, 'c1', true)
  appendMessage(privateRoom, 'c1', { id: 'm1', role: 'user', authorId: 'u1', content: 'Plan my week 🗓️', createdAt: 2 })
  appendMessage(privateRoom, 'c1', {
    id: 'm2',
    role: 'assistant',
    authorId: 'u1',
    status: 'streaming',
    model: 'gpt-x',
    createdAt: 3,
  })
  appendToContent(privateRoom, 'c1', 'm2', 'Monday: ')
  appendToContent(privateRoom, 'c1', 'm2', 'rest.')
  setMessageStatus(privateRoom, 'c1', 'm2', {
    status: 'done',
    usage: { inputTokens: 5, outputTokens: 7, costMicros: 9 },
  })
  appendMessage(privateRoom, 'c1', {
    id: 'm3',
    role: 'assistant',
    authorId: 'u1',
    status: 'error',
    error: 'quota',
    createdAt: 4,
  })
  // Formatting and a field this version does not know: a newer client may have written them.
  ;(rawMessages(privateRoom, 'c1').get(0).get('content') as Y.Text).format(0, 4, { bold: true })
  rawChat(privateRoom, 'c1').set('futureField', { nested: [1, 2] })
  return { privateRoom, sharedRoom }
}

describe('moveChat', () => {
  test('moves the chat with all its content and removes it from the source', () => {
    const { privateRoom, sharedRoom } = rooms()
    const before = getChat(privateRoom, 'c1')!
    const beforeJson = (roomJson(privateRoom) as { chats: Record<string, unknown> }).chats.c1
    const moved = moveChat(privateRoom, sharedRoom, 'c1', origin)
    const { messages: _m, ...summary } = before
    expect(moved).toEqual(summary)
    expect(getChat(sharedRoom, 'c1')).toEqual(before)
    expect(before.messages.map((m) => m.content)).toEqual(['Plan my week 🗓️', 'Monday: rest.', ''])
    expect((roomJson(sharedRoom) as { chats: Record<string, unknown> }).chats.c1).toEqual(beforeJson)
    expect((rawMessages(sharedRoom, 'c1').get(0).get('content') as Y.Text).toDelta()).toEqual([
      { insert: 'Plan', attributes: { bold: true } },
      { insert: ' my week 🗓️' },
    ])
    expect(getChat(privateRoom, 'c1')).toBeNull()
    expect(listChats(privateRoom)).toEqual([])
  })

  test('the moved chat reaches a peer that syncs only with the target room, and stays editable there', () => {
    const { privateRoom, sharedRoom } = rooms()
    const before = getChat(privateRoom, 'c1')!
    const colleague = replicaOf(sharedRoom)
    const ownerDevice = replicaOf(privateRoom)
    moveChat(privateRoom, sharedRoom, 'c1', origin)
    syncAll(sharedRoom, colleague)
    syncAll(privateRoom, ownerDevice)
    expect(getChat(colleague, 'c1')).toEqual(before)
    expect(getChat(ownerDevice, 'c1')).toBeNull()

    appendMessage(colleague, 'c1', { id: 'm4', role: 'user', authorId: 'u2', content: 'Add Tuesday', createdAt: 9 })
    syncAll(sharedRoom, colleague)
    appendMessage(sharedRoom, 'c1', { id: 'm5', role: 'assistant', authorId: 'u2', status: 'streaming', createdAt: 10 })
    appendToContent(sharedRoom, 'c1', 'm5', 'Tuesday: gym.')
    renameChat(colleague, 'c1', 'Our plans')
    syncAll(sharedRoom, colleague)
    expect(getChat(colleague, 'c1')).toEqual(getChat(sharedRoom, 'c1'))
    expect(getChat(sharedRoom, 'c1')).toMatchObject({ title: 'Our plans', updatedAt: 10 })
    expect(
      getChat(sharedRoom, 'c1')!
        .messages.map((m) => m.content)
        .slice(3),
    ).toEqual(['Add Tuesday', 'Tuesday: gym.'])
  })

  test('moves back from the shared room to a private one', () => {
    const { privateRoom, sharedRoom } = rooms()
    const before = getChat(privateRoom, 'c1')
    moveChat(privateRoom, sharedRoom, 'c1', origin)
    moveChat(sharedRoom, privateRoom, 'c1', origin)
    expect(getChat(privateRoom, 'c1')).toEqual(before)
    expect(getChat(sharedRoom, 'c1')).toBeNull()
  })

  test('writes each doc in one transaction with the given origin', () => {
    const { privateRoom, sharedRoom } = rooms()
    const fromOrigins = recordOrigins(privateRoom)
    const toOrigins = recordOrigins(sharedRoom)
    moveChat(privateRoom, sharedRoom, 'c1', origin)
    expect(fromOrigins).toEqual([origin])
    expect(toOrigins).toEqual([origin])
  })

  test('refuses when the target already has a chat with that id, touching neither', () => {
    const { privateRoom, sharedRoom } = rooms()
    createChat(sharedRoom, { id: 'c1', createdBy: 'u2', title: 'Theirs' })
    const error = thrown(() => moveChat(privateRoom, sharedRoom, 'c1', origin))
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('CONFLICT')
    expect(getChat(sharedRoom, 'c1')?.title).toBe('Theirs')
    expect(getChat(privateRoom, 'c1')?.title).toBe('Plans')
  })

  test('refuses while an answer is still being written, touching neither', () => {
    const { privateRoom, sharedRoom } = rooms()
    appendMessage(privateRoom, 'c1', { id: 'live', role: 'assistant', authorId: 'u1', status: 'pending' })
    expect(thrown(() => moveChat(privateRoom, sharedRoom, 'c1', origin)).code).toBe('CONFLICT')
    expect(getChat(privateRoom, 'c1')).not.toBeNull()
    expect(listChats(sharedRoom)).toEqual([])
  })

  test('throws NOT_FOUND for an unknown chat and BAD_REQUEST for one doc as both ends', () => {
    const { privateRoom, sharedRoom } = rooms()
    expect(thrown(() => moveChat(privateRoom, sharedRoom, 'nope', origin)).code).toBe('NOT_FOUND')
    expect(thrown(() => moveChat(privateRoom, privateRoom, 'c1', origin)).code).toBe('BAD_REQUEST')
    expect(getChat(privateRoom, 'c1')).not.toBeNull()
  })
})
