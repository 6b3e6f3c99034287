import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  appendToContent,
  copyLegacyChatToRoom,
  finishLegacyChat,
  getChat,
  legacyChatIds,
  listChats,
  renameChat,
  serverOrigin,
  setArchived,
  setPinned,
  setMessageStatus,
} from '../../shared/doc'
import { createLegacyChat, rawMessages, replicaOf, syncAll } from './helpers'

const origin = serverOrigin('split-chats')

/** An index room in the old layout holding every kind of chat, message and status. */
function oldRoom() {
  const doc = new Y.Doc()
  createLegacyChat(doc, {
    id: 'c1',
    createdBy: 'u1',
    title: 'Plans',
    createdAt: 1,
    sidekiqId: 's1',
    sidekiqName: 'Planner',
    pinned: true,
  })
  appendMessage(doc, 'c1', { id: 'q1', role: 'user', authorId: 'u1', content: 'Plan my week 🗓️', createdAt: 2 })
  appendMessage(doc, 'c1', {
    id: 'a1',
    role: 'assistant',
    authorId: 'u1',
    status: 'streaming',
    model: 'gpt-x',
    createdAt: 3,
    replyTo: 'q1',
  })
  appendToContent(doc, 'c1', 'a1', 'Monday: ')
  appendToContent(doc, 'c1', 'a1', 'rest.')
  setMessageStatus(doc, 'c1', 'a1', {
    status: 'done',
    usage: { inputTokens: 5, outputTokens: 7, costMicros: 9 },
    timing: { firstTokenMs: 12, durationMs: 340 },
  })
  appendMessage(doc, 'c1', {
    id: 'a2',
    role: 'assistant',
    authorId: 'u1',
    status: 'error',
    error: 'quota',
    createdAt: 4,
    replyTo: 'q1',
  })
  appendMessage(doc, 'c1', {
    id: 'a3',
    role: 'assistant',
    authorId: 'u1',
    status: 'stopped',
    content: 'Mon',
    createdAt: 5,
    replyTo: 'q1',
  })
  appendMessage(doc, 'c1', {
    id: 'a4',
    role: 'assistant',
    authorId: 'u1',
    status: 'pending',
    createdAt: 6,
    replyTo: 'q1',
  })
  appendMessage(doc, 'c1', { id: 's1', role: 'system', authorId: 'u1', content: 'Be brief.', createdAt: 7 })
  // Formatting and a field this version does not know: a newer client may have written them.
  ;(rawMessages(doc, 'c1').get(0).get('content') as Y.Text).format(0, 4, { bold: true })
  rawMessages(doc, 'c1')
    .get(1)
    .set('futureField', { nested: [1, 2] })
  createLegacyChat(doc, { id: 'c2', createdBy: 'u2', title: 'Archived', createdAt: 8, archived: true, model: 'demo' })
  createLegacyChat(doc, { id: 'c3', createdBy: 'u2', title: '', createdAt: 9 })
  appendMessage(doc, 'c3', { id: 'q3', role: 'user', authorId: 'u2', content: 'x'.repeat(500), createdAt: 10 })
  return doc
}

/** Runs both steps for every chat still in the old layout, as the server does; returns the chat rooms. */
function convert(index: Y.Doc, rooms = new Map<string, Y.Doc>()) {
  for (const id of legacyChatIds(index)) {
    const room = rooms.get(id) ?? new Y.Doc()
    rooms.set(id, room)
    copyLegacyChatToRoom(index, id, room, origin)
    finishLegacyChat(index, id, room, origin)
  }
  return rooms
}

describe('converting an old-layout index room', () => {
  test('every chat moves to its room with every message, field and status; the index keeps its metadata', () => {
    const index = oldRoom()
    const before = listChats(index).map((c) => getChat(index, c.id)!)
    const rawBefore = rawMessages(index, 'c1').toJSON()
    const rooms = convert(index)
    expect([...rooms.keys()].sort()).toEqual(['c1', 'c2', 'c3'])
    expect(legacyChatIds(index)).toEqual([])
    for (const chat of before) {
      expect(getChat(index, chat.id, rooms.get(chat.id))).toEqual(chat)
    }
    expect(rooms.get('c1')!.getArray('messages').toJSON()).toEqual(rawBefore)
    expect((rooms.get('c1')!.getArray<Y.Map<unknown>>('messages').get(0).get('content') as Y.Text).toDelta()).toEqual([
      { insert: 'Plan', attributes: { bold: true } },
      { insert: ' my week 🗓️' },
    ])
    expect(getChat(index, 'c1')).toMatchObject({
      messageCount: 6,
      lastRole: 'system',
      preview: 'Be brief.',
      updatedAt: 7,
    })
    expect(getChat(index, 'c3')?.preview).toHaveLength(120)
    // The old entries are emptied shells: the index room no longer carries the messages.
    expect(rawMessages(index, 'c1').length).toBe(0)
  })

  test('running it again changes nothing in either room', () => {
    const index = oldRoom()
    const rooms = convert(index)
    const state = (d: Y.Doc) => Y.encodeStateVector(d)
    const indexBefore = state(index)
    const roomsBefore = new Map([...rooms].map(([id, d]) => [id, state(d)]))
    for (const id of ['c1', 'c2', 'c3']) {
      expect(copyLegacyChatToRoom(index, id, rooms.get(id)!, origin)).toBe(0)
      finishLegacyChat(index, id, rooms.get(id)!, origin)
    }
    expect(state(index)).toEqual(indexBefore)
    for (const [id, d] of rooms) expect(state(d)).toEqual(roomsBefore.get(id))
  })

  test('stopped between the two steps, the next run finishes without doubling a message', () => {
    const index = oldRoom()
    const rooms = new Map<string, Y.Doc>()
    for (const id of legacyChatIds(index)) {
      const room = new Y.Doc()
      rooms.set(id, room)
      copyLegacyChatToRoom(index, id, room, origin)
    }
    // The crash: nothing of step 2 ran. The next run starts from what is stored.
    expect(legacyChatIds(index).sort()).toEqual(['c1', 'c2', 'c3'])
    convert(index, rooms)
    expect(getChat(index, 'c1', rooms.get('c1'))!.messages.map((m) => m.id)).toEqual([
      'q1',
      'a1',
      'a2',
      'a3',
      'a4',
      's1',
    ])
    expect(rooms.get('c1')!.getArray('messages').length).toBe(6)
  })

  test('a device still on the old layout appends after the conversion: its message arrives and is converted too', () => {
    const server = oldRoom()
    const device = replicaOf(server)
    const rooms = convert(server)
    // Offline on the old layout, the device asks one more question and renames nothing it cannot.
    appendMessage(device, 'c1', { id: 'late', role: 'user', authorId: 'u1', content: 'And Tuesday?', createdAt: 20 })
    syncAll(server, device)
    expect(legacyChatIds(server)).toEqual(['c1'])
    convert(server, rooms)
    expect(getChat(server, 'c1', rooms.get('c1'))!.messages.map((m) => m.id)).toEqual([
      'q1',
      'a1',
      'a2',
      'a3',
      'a4',
      's1',
      'late',
    ])
    expect(getChat(server, 'c1')).toMatchObject({ messageCount: 7, preview: 'And Tuesday?', updatedAt: 20 })
    syncAll(server, device)
    expect(listChats(device)).toEqual(listChats(server))
  })

  test('a rename made in the index between two runs stays', () => {
    const index = oldRoom()
    const rooms = convert(index)
    renameChat(index, 'c1', 'Renamed')
    // An old-layout write arrives later and is converted: the metadata in the index is left as it is.
    appendMessage(index, 'c1', { id: 'again', role: 'user', authorId: 'u1', content: 'more', createdAt: 30 })
    convert(index, rooms)
    expect(getChat(index, 'c1')).toMatchObject({ title: 'Renamed', messageCount: 7, preview: 'more' })
  })

  test('edits a newer client made to a chat still in the old layout are kept by its conversion', () => {
    const index = oldRoom()
    renameChat(index, 'c2', 'Renamed before converting')
    setPinned(index, 'c2', true)
    setArchived(index, 'c2', false)
    expect(getChat(index, 'c2')).toMatchObject({ title: 'Renamed before converting', pinned: true, archived: false })
    convert(index)
    expect(legacyChatIds(index)).toEqual([])
    expect(getChat(index, 'c2')).toMatchObject({
      title: 'Renamed before converting',
      pinned: true,
      archived: false,
      model: 'demo',
    })
  })
})
