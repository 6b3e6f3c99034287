import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  appendToContent,
  closeStaleMessages,
  createChat,
  createSidekiq,
  getChat,
  getChatMessages,
  getSidekiq,
  getSidekiqInstructionsText,
  listChats,
  listSidekiqs,
  moveChat,
  openChatRoom,
  renameChat,
  serverOrigin,
  setMessageStatus,
  updateSidekiq,
} from '../../shared/doc'
import { CHAT_ROOM_MESSAGES_KEY, CHAT_ROOM_META_KEY } from '../../shared/doc/chat-room'
import { CHATS_KEY } from '../../shared/doc/chat-store'
import { SIDEKIQS_KEY } from '../../shared/doc/sidekiqs'
import { invalidCollector, replicaOf, thrown } from './helpers'

/**
 * Docs are written by every client, old and new, and could be written by a
 * hostile member with a raw Yjs client. These tests write around the model
 * through plain Y APIs and check that readers skip and report what is wrong
 * instead of throwing, and that mutations refuse to write into it.
 */

function rawMessage(fields: Record<string, unknown>): Y.Map<unknown> {
  const m = new Y.Map<unknown>()
  for (const [k, v] of Object.entries(fields)) m.set(k, v)
  return m
}

const validMessage = (id: string) => ({
  id,
  role: 'user',
  authorId: 'u1',
  content: new Y.Text('ok'),
  createdAt: 1,
  status: 'done',
})

describe('chats with invalid stored values', () => {
  function docWithBadChats() {
    const doc = new Y.Doc()
    createChat(doc, { id: 'good', createdBy: 'u1', title: 'Good', createdAt: 5 })
    const chats = doc.getMap<unknown>(CHATS_KEY)
    doc.transact(() => {
      chats.set('a-string', 'not a chat')
      chats.set(
        'no-title',
        rawMessage({ id: 'no-title', createdBy: 'u1', createdAt: 1, updatedAt: 1, messages: new Y.Array() }),
      )
      const wrongId = rawMessage({
        id: 'other',
        title: 'T',
        createdBy: 'u1',
        createdAt: 1,
        updatedAt: 1,
        messages: new Y.Array(),
      })
      chats.set('wrong-id', wrongId)
      chats.set(
        'bad-messages',
        rawMessage({ id: 'bad-messages', title: 'T', createdBy: 'u1', createdAt: 1, updatedAt: 1, messages: 'nope' }),
      )
      chats.set(
        'bad-pin',
        rawMessage({
          id: 'bad-pin',
          title: 'T',
          createdBy: 'u1',
          createdAt: 1,
          updatedAt: 1,
          pinned: 'yes',
          messages: new Y.Array(),
        }),
      )
    })
    return doc
  }

  test('listChats skips them, reports each with its path, and lists the rest', () => {
    const doc = docWithBadChats()
    const { invalid, onInvalid } = invalidCollector()
    expect(listChats(doc, { onInvalid }).map((c) => c.id)).toEqual(['good'])
    expect(invalid.map((i) => i.path).sort()).toEqual([
      'chats/a-string',
      'chats/bad-messages',
      'chats/bad-pin',
      'chats/no-title',
      'chats/wrong-id',
    ])
    expect(invalid.find((i) => i.path === 'chats/no-title')?.message).toMatch(/^title:/)
    expect(invalid.find((i) => i.path === 'chats/bad-pin')?.message).toMatch(/^pinned:/)
  })

  test('listChats skips silently without a handler', () => {
    expect(listChats(docWithBadChats()).map((c) => c.id)).toEqual(['good'])
  })

  test('getChat returns null for them, and mutations answer NOT_FOUND', () => {
    const doc = docWithBadChats()
    for (const id of ['a-string', 'no-title', 'wrong-id', 'bad-messages', 'bad-pin']) {
      expect(getChat(doc, id)).toBeNull()
      expect(thrown(() => renameChat(doc, id, 'x')).code).toBe('NOT_FOUND')
      expect(thrown(() => appendMessage(doc, id, { role: 'user', authorId: 'u1' })).code).toBe('NOT_FOUND')
      expect(thrown(() => moveChat(doc, new Y.Doc(), id, serverOrigin('move'))).code).toBe('NOT_FOUND')
    }
    expect(doc.getMap(CHATS_KEY).get('a-string')).toBe('not a chat')
  })

  test('a chat written without pinned and archived reads them as false', () => {
    const doc = new Y.Doc()
    doc
      .getMap(CHATS_KEY)
      .set(
        'bare',
        rawMessage({ id: 'bare', title: 'T', createdBy: 'u1', createdAt: 1, updatedAt: 1, messages: new Y.Array() }),
      )
    expect(getChat(doc, 'bare')).toMatchObject({ pinned: false, archived: false, messages: [] })
  })

  test('a peer that made `chats` an array does not break readers', () => {
    const rogue = new Y.Doc()
    rogue.getArray(CHATS_KEY).push(['junk', 42])
    const doc = new Y.Doc()
    createChat(doc, { id: 'good', createdBy: 'u1' })
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(rogue))
    expect(listChats(doc).map((c) => c.id)).toEqual(['good'])
  })
})

describe('messages with invalid stored values', () => {
  // Each doc here is a chat's own room.
  const roomMessages = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>(CHAT_ROOM_MESSAGES_KEY)

  function docWithBadMessages() {
    const doc = new Y.Doc()
    openChatRoom(doc, 'c1')
    appendMessage(doc, 'c1', { id: 'first', role: 'user', authorId: 'u1', content: 'first', createdAt: 1 })
    doc.transact(() => {
      roomMessages(doc).push([
        rawMessage({ ...validMessage('string-content'), content: 'plain string' }),
        rawMessage({ ...validMessage('bad-role'), role: 'robot' }),
        rawMessage({ ...validMessage('bad-status'), status: 'exploded' }),
        rawMessage({ ...validMessage('bad-usage'), usage: { inputTokens: -1, outputTokens: 2 } }),
        rawMessage({ ...validMessage('no-time'), createdAt: undefined }),
        'not a map' as unknown as Y.Map<unknown>,
        rawMessage({ ...validMessage('first'), content: new Y.Text('a copy with a taken id') }),
        rawMessage({ ...validMessage('streaming-bad'), status: 'streaming', role: 7 }),
      ])
    })
    appendMessage(doc, 'c1', { id: 'last', role: 'user', authorId: 'u1', content: 'last', createdAt: 2 })
    return doc
  }

  test('getChat skips them, reports each by index, and keeps the chat and its good messages', () => {
    const doc = docWithBadMessages()
    const { invalid, onInvalid } = invalidCollector()
    const messages = getChatMessages(doc, 'c1', { onInvalid })
    expect(messages?.map((m) => [m.id, m.content])).toEqual([
      ['first', 'first'],
      ['last', 'last'],
    ])
    expect(invalid.map((i) => i.path)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `messages/${i}`))
    expect(invalid[0].message).toMatch(/^content:/)
    expect(invalid[6].message).toMatch(/repeats message "first"/)
  })

  test('mutations treat them as absent and write only to the readable message', () => {
    const doc = docWithBadMessages()
    expect(thrown(() => appendToContent(doc, 'c1', 'string-content', 'x')).code).toBe('NOT_FOUND')
    expect(thrown(() => setMessageStatus(doc, 'c1', 'bad-role', { status: 'done' })).code).toBe('NOT_FOUND')
    expect(thrown(() => appendMessage(doc, 'c1', { id: 'first', role: 'user', authorId: 'u1' })).code).toBe('CONFLICT')
    setMessageStatus(doc, 'c1', 'first', { status: 'done', model: 'm' })
    expect(getChatMessages(doc, 'c1')?.[0]).toMatchObject({ id: 'first', model: 'm' })
    expect(roomMessages(doc).get(7).has('model')).toBe(false)
  })

  test('closeStaleMessages passes over them without throwing', () => {
    const doc = docWithBadMessages()
    appendMessage(doc, 'c1', { id: 'open', role: 'assistant', authorId: 'u1', status: 'streaming' })
    expect(closeStaleMessages(doc, { reason: 'Interrupted' })).toEqual([{ chatId: 'c1', messageId: 'open' }])
    expect(roomMessages(doc).get(8).get('status')).toBe('streaming')
  })

  test('a message with usage fields from a newer app still reads, without them', () => {
    const doc = new Y.Doc()
    openChatRoom(doc, 'c1')
    roomMessages(doc).push([
      rawMessage({ ...validMessage('m'), usage: { inputTokens: 1, outputTokens: 2, cachedTokens: 3 } }),
    ])
    expect(getChatMessages(doc, 'c1')?.[0].usage).toEqual({ inputTokens: 1, outputTokens: 2 })
  })

  test('a message with timing fields from a newer app still reads, without them; a bad timing hides it', () => {
    const doc = new Y.Doc()
    openChatRoom(doc, 'c1')
    roomMessages(doc).push([
      rawMessage({ ...validMessage('newer'), timing: { firstTokenMs: 5, durationMs: 6, queueMs: 7 } }),
      rawMessage({ ...validMessage('bad'), timing: { firstTokenMs: -1, durationMs: 6 } }),
      rawMessage({ ...validMessage('half'), timing: { firstTokenMs: 5 } }),
    ])
    const { invalid, onInvalid } = invalidCollector()
    const messages = getChatMessages(doc, 'c1', { onInvalid })
    expect(messages?.map((m) => [m.id, m.timing])).toEqual([['newer', { firstTokenMs: 5, durationMs: 6 }]])
    expect(invalid.map((i) => i.message)).toEqual([expect.stringMatching(/^timing/), expect.stringMatching(/^timing/)])
  })

  test('invalid values written by a peer are skipped on replicas too', () => {
    const doc = docWithBadMessages()
    const replica = replicaOf(doc)
    expect(getChatMessages(replica, 'c1')?.map((m) => m.id)).toEqual(['first', 'last'])
  })

  test('a message whose content was replaced by a number is skipped after the fact', () => {
    const doc = new Y.Doc()
    openChatRoom(doc, 'c1')
    appendMessage(doc, 'c1', { id: 'm', role: 'user', authorId: 'u1', content: 'hi' })
    roomMessages(doc).get(0).set('content', 12)
    const { invalid, onInvalid } = invalidCollector()
    expect(getChatMessages(doc, 'c1', { onInvalid })).toEqual([])
    expect(invalid).toHaveLength(1)
    // A room whose stamp names no chat is no chat's room.
    doc.getMap(CHAT_ROOM_META_KEY).set('id', 99)
    expect(getChatMessages(doc, 'c1')).toBeNull()
  })
})

describe('sidekiqs with invalid stored values', () => {
  function docWithBadSidekiqs() {
    const doc = new Y.Doc()
    createSidekiq(doc, { id: 'good', name: 'Good', model: 'm', createdBy: 'u1' })
    createSidekiq(doc, { id: 'starters', name: 'Starters', model: 'm', createdBy: 'u1', conversationStarters: ['a'] })
    const root = doc.getMap<Y.Map<unknown>>(SIDEKIQS_KEY)
    doc.transact(() => {
      const starters = root.get('starters')!.get('conversationStarters') as Y.Array<unknown>
      starters.push([42, 'b', 'c', 'd', 'e', 'f', 'g', 'h'])
      root.set('bad-avatar', root.get('good')!.clone())
      root.get('bad-avatar')!.set('id', 'bad-avatar')
      root.get('bad-avatar')!.set('avatar', { kind: 'photo', url: 'x' })
      root.set('text-instructions', root.get('good')!.clone())
      root.get('text-instructions')!.set('id', 'text-instructions')
      root.get('text-instructions')!.set('instructions', 'a string, not a Y.Text')
      root.set('copied-id', root.get('good')!.clone())
    })
    return doc
  }

  test('listSidekiqs skips them and reports each; a starter of the wrong type is dropped alone', () => {
    const doc = docWithBadSidekiqs()
    const { invalid, onInvalid } = invalidCollector()
    const list = listSidekiqs(doc, { onInvalid })
    expect(list.map((s) => s.id)).toEqual(['good', 'starters'])
    expect(invalid.map((i) => i.path).sort()).toEqual([
      'sidekiqs/bad-avatar',
      'sidekiqs/copied-id',
      'sidekiqs/starters/conversationStarters/1',
      'sidekiqs/text-instructions',
    ])
  })

  test('more than six starters, as concurrent writes could leave, read as the first six', () => {
    const doc = docWithBadSidekiqs()
    expect(getSidekiq(doc, 'starters')?.conversationStarters).toEqual(['a', 'b', 'c', 'd', 'e', 'f'])
  })

  test('getSidekiq and the instructions text return null for them, and mutations answer NOT_FOUND', () => {
    const doc = docWithBadSidekiqs()
    for (const id of ['bad-avatar', 'text-instructions', 'copied-id']) {
      expect(getSidekiq(doc, id)).toBeNull()
      expect(getSidekiqInstructionsText(doc, id)).toBeNull()
      expect(thrown(() => updateSidekiq(doc, id, { model: 'x' })).code).toBe('NOT_FOUND')
    }
  })

  test('a name held only by an unreadable sidekiq does not block creating one', () => {
    const doc = new Y.Doc()
    doc.getMap(SIDEKIQS_KEY).set('junk', rawMessage({ id: 'junk', name: 'Writer' }))
    expect(createSidekiq(doc, { name: 'Writer', model: 'm', createdBy: 'u1' }).name).toBe('Writer')
  })
})
