import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import { AppError } from '../../shared/errors'
import { createChat, getChat, listChats, moveChat, serverOrigin, setPinned } from '../../shared/doc'
import { chatRoomsOf, createLegacyChat, recordOrigins, thrown } from './helpers'
import { appendMessage } from '../../shared/doc'

const origin = serverOrigin('move-chat')

/** A private index room listing one chat with activity, and an empty shared index room. */
function rooms() {
  const privateRoom = new Y.Doc()
  const sharedRoom = new Y.Doc()
  createChat(privateRoom, { id: 'c1', createdBy: 'u1', title: 'Plans', createdAt: 1, sidekiqId: 's1', model: 'demo' })
  setPinned(privateRoom, 'c1', true)
  const chats = chatRoomsOf(privateRoom)
  appendMessage(chats.room('c1'), 'c1', {
    id: 'm1',
    role: 'user',
    authorId: 'u1',
    content: 'Plan my week',
    createdAt: 2,
  })
  chats.settle('c1')
  return { privateRoom, sharedRoom }
}

// The chat's own room is moved by the server (copying its stored updates);
// moveChat moves the index entry, which is what the index rooms hold.
describe('moveChat', () => {
  test('moves the index entry with its metadata and activity, and removes it from the source', () => {
    const { privateRoom, sharedRoom } = rooms()
    const before = getChat(privateRoom, 'c1')!
    expect(before).toMatchObject({
      pinned: true,
      sidekiqId: 's1',
      model: 'demo',
      messageCount: 1,
      preview: 'Plan my week',
    })
    const moved = moveChat(privateRoom, sharedRoom, 'c1', origin)
    const { messages: _m, ...summary } = before
    expect(moved).toEqual(summary)
    expect(getChat(sharedRoom, 'c1')).toEqual(before)
    expect(getChat(privateRoom, 'c1')).toBeNull()
    expect(listChats(privateRoom)).toEqual([])
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

  test('refuses a chat still in the old layout: the server converts it first', () => {
    const { sharedRoom } = rooms()
    const oldRoom = new Y.Doc()
    createLegacyChat(oldRoom, { id: 'old', createdBy: 'u1', title: 'Old' })
    expect(thrown(() => moveChat(oldRoom, sharedRoom, 'old', origin)).code).toBe('CONFLICT')
    expect(listChats(sharedRoom)).toEqual([])
  })

  test('throws NOT_FOUND for an unknown chat and BAD_REQUEST for one doc as both ends', () => {
    const { privateRoom, sharedRoom } = rooms()
    expect(thrown(() => moveChat(privateRoom, sharedRoom, 'nope', origin)).code).toBe('NOT_FOUND')
    expect(thrown(() => moveChat(privateRoom, privateRoom, 'c1', origin)).code).toBe('BAD_REQUEST')
    expect(getChat(privateRoom, 'c1')).not.toBeNull()
  })
})
