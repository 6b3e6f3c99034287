import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { applyAcrossTurns } from '../../sync-server/apply-across-turns'

/** A room of about 2 MB: an index-like map of 5,000 entries, as a snapshot then a log. */
function bigRoom() {
  const doc = new Y.Doc()
  const log: Uint8Array[] = []
  const chats = doc.getMap<Y.Map<unknown>>('chats')
  for (let i = 0; i < 5000; i++) {
    const chat = new Y.Map<unknown>()
    chats.set(`chat-${i}`, chat)
    chat.set('title', `A chat about topic number ${i}`)
    chat.set('activity', { messageCount: i, updatedAt: 1_700_000_000_000 + i, preview: 'p'.repeat(300) })
  }
  const snapshot = Y.encodeStateAsUpdate(doc)
  doc.on('update', (update: Uint8Array) => log.push(update))
  for (let i = 0; i < 50; i++) chats.get(`chat-${i}`)!.set('title', `renamed ${i}`)
  chats.delete('chat-4999')
  return { doc, updates: [snapshot, ...log] }
}

describe('applying stored updates across turns of the event loop', () => {
  test('a room of megabytes ends as the whole apply would, and the loop turned while it loaded', async () => {
    const { doc, updates } = bigRoom()
    expect(updates[0].byteLength).toBeGreaterThan(1_500_000)
    let turns = 0
    const ticker = setInterval(() => turns++, 1)
    const loaded = new Y.Doc()
    const result = await applyAcrossTurns(loaded, updates, null, { stepMs: 4 })
    clearInterval(ticker)
    expect(result.skipped).toBe(0)
    expect(loaded.getMap('chats').toJSON()).toEqual(doc.getMap('chats').toJSON())
    expect(loaded.getMap('chats').size).toBe(4999)
    // One Y.applyUpdate of this room would let no timer run at all.
    expect(turns).toBeGreaterThan(2)
  })

  test('an update Yjs cannot apply is skipped and counted; the ones after it still apply', async () => {
    const source = new Y.Doc()
    const updates: Uint8Array[] = []
    source.on('update', (update: Uint8Array) => updates.push(update))
    source.getText('t').insert(0, 'hello')
    source.getText('t').insert(5, ' world')
    const withGarbage = [updates[0], new Uint8Array([1, 2, 3, 4, 5, 6, 7]), updates[1]]
    const loaded = new Y.Doc()
    const result = await applyAcrossTurns(loaded, withGarbage, null)
    expect(result.skipped).toBe(1)
    expect(loaded.getText('t').toString()).toBe('hello world')
  })
})
