import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  appendToContent,
  createChat,
  createSidekiq,
  deleteChat,
  getChat,
  getSidekiq,
  listChats,
  listSidekiqs,
  migrateDoc,
  nameUntitledChat,
  openChatRoom,
  recordChatActivity,
  renameChat,
  serverOrigin,
  setArchived,
  setMessageStatus,
  setPinned,
  setSidekiqInstructions,
  updateSidekiq,
} from '../../shared/doc'
import { permutations, readerView, replicaOf, roomJson, syncAll } from './helpers'

/**
 * Peers edit offline from a common state, then exchange their updates. Each
 * test applies the updates in every order to fresh replicas of the common
 * state and checks that all end identical, in stored JSON and in what the
 * readers return, and that no peer's edit was lost.
 */

/** Each peer's edits since `base`, as the update it would send. */
function editsSince(base: Y.Doc, peers: Y.Doc[]): Uint8Array[] {
  const sv = Y.encodeStateVector(base)
  return peers.map((p) => Y.encodeStateAsUpdate(p, sv))
}

/** Replicas of `base` that received `updates` in every possible order. */
function mergeInEveryOrder(base: Y.Doc, updates: Uint8Array[]): Y.Doc[] {
  return permutations(updates).map((order) => {
    const doc = replicaOf(base)
    for (const u of order) Y.applyUpdate(doc, u)
    return doc
  })
}

function expectConverged(docs: Y.Doc[]): void {
  const [first, ...rest] = docs
  for (const doc of rest) {
    expect(roomJson(doc)).toEqual(roomJson(first))
    expect(readerView(doc)).toEqual(readerView(first))
  }
}

/**
 * A doc that lists one chat in its index and is that chat's room too (so one
 * replica carries both kinds of edit), migrated, and `n` peers that have synced it.
 */
function room(n: number) {
  const base = new Y.Doc()
  migrateDoc(base)
  createChat(base, { id: 'c1', createdBy: 'u1', title: 'Start', createdAt: 1 })
  openChatRoom(base, 'c1')
  const peers = Array.from({ length: n }, () => replicaOf(base))
  return { base, peers }
}

describe('two peers', () => {
  test('concurrent message appends keep both messages, in the same order everywhere', () => {
    const { base, peers } = room(2)
    const [a, b] = peers
    appendMessage(a, 'c1', { id: 'ma', role: 'user', authorId: 'ua', content: 'from a', createdAt: 10 })
    appendMessage(b, 'c1', { id: 'mb', role: 'user', authorId: 'ub', content: 'from b', createdAt: 20 })
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    const chat = getChat(merged[0], 'c1')!
    expect(chat.messages.map((m) => m.id).sort()).toEqual(['ma', 'mb'])
    expect(chat.messages.map((m) => m.content).sort()).toEqual(['from a', 'from b'])
  })

  test('concurrent pieces appended to one streaming message all arrive, each in one piece', () => {
    const { base, peers } = room(0)
    appendMessage(base, 'c1', { id: 'm', role: 'assistant', authorId: 'u1', status: 'streaming', content: 'Start: ' })
    const [a, b] = [replicaOf(base), replicaOf(base)]
    appendToContent(a, 'c1', 'm', 'alpha-alpha ')
    appendToContent(b, 'c1', 'm', 'beta-beta ')
    appendToContent(a, 'c1', 'm', 'gamma ')
    const merged = mergeInEveryOrder(base, editsSince(base, [...peers, a, b]))
    expectConverged(merged)
    const content = getChat(merged[0], 'c1')!.messages[0].content
    expect(content.startsWith('Start: ')).toBe(true)
    expect(content).toContain('alpha-alpha gamma ')
    expect(content).toContain('beta-beta ')
    expect(content).toHaveLength('Start: alpha-alpha gamma beta-beta '.length)
  })

  test('a rename concurrent with a delete ends with the chat deleted everywhere', () => {
    const { base, peers } = room(2)
    const [a, b] = peers
    createChat(base, { id: 'keep', createdBy: 'u1', createdAt: 2 })
    syncAll(base, a, b)
    renameChat(a, 'c1', 'Renamed')
    deleteChat(b, 'c1')
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    for (const doc of merged) {
      expect(getChat(doc, 'c1')).toBeNull()
      expect(listChats(doc).map((c) => c.id)).toEqual(['keep'])
    }
  })

  test('concurrent renames settle on one of the two titles', () => {
    const { base, peers } = room(2)
    renameChat(peers[0], 'c1', 'Title A')
    renameChat(peers[1], 'c1', 'Title B')
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    expect(['Title A', 'Title B']).toContain(getChat(merged[0], 'c1')!.title)
  })

  test('a pin and an archive made concurrently both apply', () => {
    const { base, peers } = room(2)
    setPinned(peers[0], 'c1', true)
    setArchived(peers[1], 'c1', true)
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    expect(getChat(merged[0], 'c1')).toMatchObject({ pinned: true, archived: true })
  })

  test("a rename concurrent with the server's activity and AI title keeps the rename and the activity", () => {
    const { base, peers } = room(2)
    createChat(base, { id: 'untitled', createdBy: 'u1', createdAt: 2 })
    syncAll(base, ...peers)
    const [person, server] = peers
    renameChat(person, 'untitled', 'Named by me')
    const origin = serverOrigin('chat-activity')
    recordChatActivity(
      server,
      'untitled',
      { messageCount: 2, updatedAt: 50, lastAuthorId: 'model', preview: 'Hi' },
      origin,
    )
    expect(nameUntitledChat(server, 'untitled', 'Named by the model', origin)).toBe(true)
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    expect(getChat(merged[0], 'untitled')).toMatchObject({
      title: 'Named by me',
      messageCount: 2,
      updatedAt: 50,
      preview: 'Hi',
    })
  })

  test('the AI title names only an untitled chat', () => {
    const { base } = room(0)
    expect(nameUntitledChat(base, 'c1', 'Model title', serverOrigin('ai-title'))).toBe(false)
    expect(getChat(base, 'c1')!.title).toBe('Start')
    expect(nameUntitledChat(base, 'missing', 'Model title', serverOrigin('ai-title'))).toBe(false)
  })

  test('an edit concurrent with a delete leaves nothing behind for a chat listed again under that id', () => {
    const { base, peers } = room(2)
    setPinned(peers[0], 'c1', true)
    renameChat(peers[0], 'c1', 'Edited while deleted')
    deleteChat(peers[1], 'c1')
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expectConverged(merged)
    const doc = merged[0]
    expect(getChat(doc, 'c1')).toBeNull()
    createChat(doc, { id: 'c1', createdBy: 'u2', title: 'A new chat', createdAt: 3 })
    expect(getChat(doc, 'c1')).toMatchObject({ title: 'A new chat', pinned: false, createdBy: 'u2' })
  })

  test('a stop concurrent with more streamed text keeps the text and the stop', () => {
    const { base } = room(0)
    appendMessage(base, 'c1', { id: 'm', role: 'assistant', authorId: 'u1', status: 'streaming', content: 'a' })
    const [user, server] = [replicaOf(base), replicaOf(base)]
    setMessageStatus(user, 'c1', 'm', { status: 'stopped' })
    appendToContent(server, 'c1', 'm', 'bc', serverOrigin('ai-stream'))
    const merged = mergeInEveryOrder(base, editsSince(base, [user, server]))
    expectConverged(merged)
    expect(getChat(merged[0], 'c1')!.messages[0]).toMatchObject({ status: 'stopped', content: 'abc' })
  })

  test('concurrent instruction edits in different places both survive', () => {
    const base = new Y.Doc()
    createSidekiq(base, { id: 's', name: 'S', model: 'm', createdBy: 'u1', instructions: 'Be brief. Use lists.' })
    const [a, b] = [replicaOf(base), replicaOf(base)]
    setSidekiqInstructions(a, 's', 'Be very brief. Use lists.')
    setSidekiqInstructions(b, 's', 'Be brief. Use numbered lists.')
    const merged = mergeInEveryOrder(base, editsSince(base, [a, b]))
    expectConverged(merged)
    expect(getSidekiq(merged[0], 's')!.instructions).toBe('Be very brief. Use numbered lists.')
  })

  test('concurrent replacements of the conversation starters settle on one list, not a mix', () => {
    const base = new Y.Doc()
    createSidekiq(base, { id: 's', name: 'S', model: 'm', createdBy: 'u1', conversationStarters: ['old'] })
    const [a, b] = [replicaOf(base), replicaOf(base)]
    updateSidekiq(a, 's', { conversationStarters: ['a1', 'a2', 'a3'] })
    updateSidekiq(b, 's', { conversationStarters: ['b1', 'b2'] })
    const merged = mergeInEveryOrder(base, editsSince(base, [a, b]))
    expectConverged(merged)
    const starters = getSidekiq(merged[0], 's')!.conversationStarters
    expect([
      ['a1', 'a2', 'a3'],
      ['b1', 'b2'],
    ]).toContainEqual(starters)
  })

  test('two sidekiqs given one name offline are both listed, in the same order everywhere', () => {
    const base = new Y.Doc()
    const [a, b] = [replicaOf(base), replicaOf(base)]
    createSidekiq(a, { id: 'sa', name: 'Writer', model: 'm', createdBy: 'u1' })
    createSidekiq(b, { id: 'sb', name: 'writer', model: 'm', createdBy: 'u2' })
    const merged = mergeInEveryOrder(base, editsSince(base, [a, b]))
    expectConverged(merged)
    expect(listSidekiqs(merged[0]).map((s) => s.id)).toEqual(['sa', 'sb'])
  })
})

describe('three peers', () => {
  test('concurrent appends, streaming, renames and deletes converge in every order', () => {
    const { base, peers } = room(3)
    createChat(base, { id: 'c2', createdBy: 'u1', title: 'Doomed', createdAt: 2 })
    appendMessage(base, 'c1', { id: 'ans', role: 'assistant', authorId: 'u1', status: 'streaming', createdAt: 5 })
    syncAll(base, ...peers)
    const [a, b, c] = peers
    appendMessage(a, 'c1', { id: 'ma', role: 'user', authorId: 'ua', content: 'A', createdAt: 30 })
    appendToContent(a, 'c1', 'ans', 'one ')
    appendToContent(b, 'c1', 'ans', 'two ')
    appendMessage(b, 'c1', { id: 'mb', role: 'user', authorId: 'ub', content: 'B', createdAt: 20 })
    renameChat(b, 'c2', 'Saved?')
    appendToContent(c, 'c1', 'ans', 'three ')
    deleteChat(c, 'c2')
    renameChat(c, 'c1', 'Three')
    const merged = mergeInEveryOrder(base, editsSince(base, peers))
    expect(merged).toHaveLength(6)
    expectConverged(merged)
    const view = readerView(merged[0])
    expect(view.chats.map((x) => x.id)).toEqual(['c1'])
    const chat = view.full[0]!
    expect(chat.title).toBe('Three')
    // Activity reaches the index from the server, not from the peers' appends.
    expect(chat.updatedAt).toBe(1)
    expect(chat.messages.map((m) => m.id).slice(0, 1)).toEqual(['ans'])
    expect(chat.messages.map((m) => m.id).sort()).toEqual(['ans', 'ma', 'mb'])
    const answer = chat.messages[0].content
    expect(answer.split(' ').filter(Boolean).sort()).toEqual(['one', 'three', 'two'])
  })

  test('peers syncing pairwise through each other, as over a relay, converge', () => {
    const { peers } = room(3)
    const [a, b, c] = peers
    appendMessage(a, 'c1', { id: 'ma', role: 'user', authorId: 'ua', content: 'A' })
    appendMessage(b, 'c1', { id: 'mb', role: 'user', authorId: 'ub', content: 'B' })
    appendMessage(c, 'c1', { id: 'mc', role: 'user', authorId: 'uc', content: 'C' })
    // a <-> b, then b <-> c, then c <-> a: every edit reaches every peer through a chain.
    syncAll(a, b)
    syncAll(b, c)
    syncAll(c, a)
    expectConverged([a, b, c])
    expect(
      getChat(a, 'c1')!
        .messages.map((m) => m.id)
        .sort(),
    ).toEqual(['ma', 'mb', 'mc'])
  })
})
