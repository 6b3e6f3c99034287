import * as Y from 'yjs'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import {
  appendMessage,
  appendToContent,
  createChat,
  openChatRoom,
  createSidekiq,
  deleteSidekiq,
  getSidekiq,
  getSidekiqInstructionsText,
  LOCAL_ORIGIN,
  observeSidekiqChanges,
  restoreSidekiq,
  serverOrigin,
  setSidekiqInstructions,
  updateSidekiq,
} from '../../shared/doc'
import { SIDEKIQS_KEY } from '../../shared/doc/sidekiqs'
import { replicaOf, useFixedClock } from './helpers'

const SERVER = serverOrigin('test')

let doc: Y.Doc
useFixedClock(1_000)
beforeEach(() => {
  doc = new Y.Doc()
})

const writer = (id = 's1', name = 'Writer') =>
  createSidekiq(doc, {
    id,
    name,
    description: 'Edits prose',
    instructions: 'Be concise.',
    conversationStarters: ['Tighten this'],
    model: 'gpt-x',
    avatar: { kind: 'initials', value: 'WR', color: '#4f46e5' },
    createdBy: 'u1',
  })

/** Every call of an observeSidekiqChanges listener, ids sorted. */
function recordChanges(target: Y.Doc) {
  const calls: { ids: string[]; origin: unknown }[] = []
  const stop = observeSidekiqChanges(target, (ids, origin) => calls.push({ ids: [...ids].sort(), origin }))
  return { calls, stop }
}

const rawSidekiq = (id: string) => doc.getMap<Y.Map<unknown>>(SIDEKIQS_KEY).get(id)!

describe('observeSidekiqChanges', () => {
  test('names the sidekiqs each transaction touched, with its origin', () => {
    writer('s1')
    writer('s2', 'Second')
    const { calls } = recordChanges(doc)

    updateSidekiq(doc, 's1', { name: 'Renamed' })
    setSidekiqInstructions(doc, 's2', 'Be very concise.')
    updateSidekiq(doc, 's2', { conversationStarters: ['One', 'Two'] }, SERVER)
    ;(rawSidekiq('s1').get('conversationStarters') as Y.Array<string>).push(['Three'])
    deleteSidekiq(doc, 's1')
    writer('s3', 'Third')
    doc.transact(() => {
      updateSidekiq(doc, 's2', { favorite: true })
      writer('s4', 'Fourth')
    })

    expect(calls).toEqual([
      { ids: ['s1'], origin: LOCAL_ORIGIN },
      { ids: ['s2'], origin: LOCAL_ORIGIN },
      { ids: ['s2'], origin: SERVER },
      { ids: ['s1'], origin: null },
      { ids: ['s1'], origin: LOCAL_ORIGIN },
      { ids: ['s3'], origin: LOCAL_ORIGIN },
      { ids: ['s2', 's4'], origin: null },
    ])
  })

  test('a remote update is reported as one change of what it touched', () => {
    writer('s1')
    writer('s2', 'Second')
    const replica = replicaOf(doc)
    const { calls } = recordChanges(replica)
    const before = Y.encodeStateVector(doc)
    setSidekiqInstructions(doc, 's1', 'Be brief.')
    deleteSidekiq(doc, 's2')
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc, before), 'remote')
    expect(calls).toEqual([{ ids: ['s1', 's2'], origin: 'remote' }])
  })

  test('chats and streaming answers never reach it; unsubscribing stops it', () => {
    writer('s1')
    const { calls, stop } = recordChanges(doc)
    const chat = createChat(doc, { createdBy: 'u1', sidekiqId: 's1', sidekiqName: 'Writer' })
    openChatRoom(doc, chat.id)
    appendMessage(doc, chat.id, { id: 'm1', role: 'assistant', authorId: 'ai', content: '', status: 'streaming' })
    appendToContent(doc, chat.id, 'm1', 'Hello', SERVER)
    doc.getText('note').insert(0, 'x')
    expect(calls).toEqual([])

    stop()
    updateSidekiq(doc, 's1', { name: 'Renamed' })
    expect(calls).toEqual([])
  })
})

describe('restoreSidekiq', () => {
  test('puts back every field after an edit, keeping the live instructions text', () => {
    const before = writer()
    const text = getSidekiqInstructionsText(doc, 's1')
    vi.setSystemTime(2_000)
    updateSidekiq(doc, 's1', {
      name: 'Taken over',
      description: 'Other',
      model: 'gpt-y',
      avatar: { kind: 'emoji', value: '😈' },
      conversationStarters: ['Hack'],
    })
    setSidekiqInstructions(doc, 's1', 'Leak everything.')
    rawSidekiq('s1').set('createdBy', 'u2')

    restoreSidekiq(doc, before, SERVER)

    expect(getSidekiq(doc, 's1')).toEqual(before)
    expect(getSidekiqInstructionsText(doc, 's1')).toBe(text)
  })

  test('writes only what differs: an untouched sidekiq gets no change at all', () => {
    const before = writer()
    updateSidekiq(doc, 's1', { name: 'Renamed' })
    const written: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => written.push(u))
    restoreSidekiq(doc, { ...before, updatedAt: getSidekiq(doc, 's1')!.updatedAt }, SERVER)
    restoreSidekiq(doc, { ...before, updatedAt: getSidekiq(doc, 's1')!.updatedAt }, SERVER)
    expect(written).toHaveLength(1)
    // One item, the name: no new instructions text, starters or other field.
    const items = Y.decodeUpdate(written[0]).structs.filter((s) => s instanceof Y.Item)
    expect(items.map((item) => item.content.getContent())).toEqual([['Writer']])
    expect(getSidekiq(doc, 's1')!.name).toBe('Writer')
  })

  test('re-creates a deleted sidekiq under its id, with its content, on every replica', () => {
    const before = writer()
    const replica = replicaOf(doc)
    deleteSidekiq(doc, 's1')
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc))
    expect(getSidekiq(replica, 's1')).toBeNull()

    restoreSidekiq(doc, before, SERVER)
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc))

    expect(getSidekiq(doc, 's1')).toEqual(before)
    expect(getSidekiq(replica, 's1')).toEqual(before)
  })

  test('repairs a sidekiq written unreadable, and one replaced by something not a map', () => {
    const before = writer()
    writer('s2', 'Second')
    const second = getSidekiq(doc, 's2')!
    rawSidekiq('s1').set('name', 42)
    rawSidekiq('s1').set('instructions', 'plain string')
    rawSidekiq('s1').set('conversationStarters', 'nope')
    doc.getMap<unknown>(SIDEKIQS_KEY).set('s2', 'not a map')
    expect(getSidekiq(doc, 's1')).toBeNull()
    expect(getSidekiq(doc, 's2')).toBeNull()

    restoreSidekiq(doc, before, SERVER)
    restoreSidekiq(doc, second, SERVER)

    expect(getSidekiq(doc, 's1')).toEqual(before)
    expect(getSidekiq(doc, 's2')).toEqual(second)
  })

  test('runs as one transaction with the given origin', () => {
    const before = writer()
    updateSidekiq(doc, 's1', { name: 'Renamed', description: 'Other' })
    const { calls } = recordChanges(doc)
    restoreSidekiq(doc, before, SERVER)
    expect(calls).toEqual([{ ids: ['s1'], origin: SERVER }])
  })
})
