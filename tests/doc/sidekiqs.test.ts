import * as Y from 'yjs'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import { AppError } from '../../shared/errors'
import {
  countSidekiqs,
  createSidekiq,
  deleteSidekiq,
  LOCAL_ORIGIN,
  removeSidekiqs,
  sidekiqsAddedBy,
  getSidekiq,
  getSidekiqInstructionsText,
  listSidekiqs,
  setSidekiqInstructions,
  updateSidekiq,
} from '../../shared/doc'
import { replicaOf, thrown, useFixedClock } from './helpers'

let doc: Y.Doc
useFixedClock(1_000)
beforeEach(() => {
  doc = new Y.Doc()
})

const writer = () =>
  createSidekiq(doc, {
    id: 's1',
    name: 'Writer',
    description: 'Edits prose',
    instructions: 'Be concise.',
    conversationStarters: ['Tighten this', 'Fix my grammar'],
    model: 'gpt-x',
    avatar: { kind: 'initials', value: 'WR', color: '#4f46e5' },
    createdBy: 'u1',
  })

describe('createSidekiq', () => {
  test('stores every field and reads it back plain', () => {
    const s = writer()
    expect(s).toEqual({
      id: 's1',
      name: 'Writer',
      description: 'Edits prose',
      instructions: 'Be concise.',
      conversationStarters: ['Tighten this', 'Fix my grammar'],
      model: 'gpt-x',
      avatar: { kind: 'initials', value: 'WR', color: '#4f46e5' },
      favorite: false,
      createdBy: 'u1',
      createdAt: 1_000,
      updatedAt: 1_000,
    })
    expect(getSidekiq(doc, 's1')).toEqual(s)
  })

  test('fills defaults: new id, empty texts, no starters, an emoji avatar', () => {
    const s = createSidekiq(doc, { name: 'Helper', model: 'demo', createdBy: 'u1' })
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(s).toMatchObject({ description: '', instructions: '', conversationStarters: [], favorite: false })
    expect(s.avatar).toEqual({ kind: 'emoji', value: '🤖' })
  })

  test.each(['writer', '  WRITER ', 'Ｗriter'])('refuses the taken name %j, ignoring case', (name) => {
    writer()
    const error = thrown(() => createSidekiq(doc, { name, model: 'm', createdBy: 'u1' }))
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('CONFLICT')
    expect(error.fields).toHaveProperty('name')
    expect(listSidekiqs(doc)).toHaveLength(1)
  })

  test('refuses an id already taken', () => {
    writer()
    expect(thrown(() => createSidekiq(doc, { id: 's1', name: 'Other', model: 'm', createdBy: 'u1' })).code).toBe(
      'CONFLICT',
    )
    expect(getSidekiq(doc, 's1')?.name).toBe('Writer')
  })

  test.each([
    ['name', { name: ' ', model: 'm', createdBy: 'u1' }],
    ['model', { name: 'A', model: '', createdBy: 'u1' }],
    ['createdBy', { name: 'A', model: 'm' }],
    ['conversationStarters', { name: 'A', model: 'm', createdBy: 'u1', conversationStarters: Array(7).fill('hi') }],
    ['conversationStarters.0', { name: 'A', model: 'm', createdBy: 'u1', conversationStarters: [''] }],
    ['avatar.value', { name: 'A', model: 'm', createdBy: 'u1', avatar: { kind: 'emoji', value: 'abc' } }],
    [
      'avatar.color',
      { name: 'A', model: 'm', createdBy: 'u1', avatar: { kind: 'initials', value: 'A', color: 'red' } },
    ],
    [
      'avatar.value',
      { name: 'A', model: 'm', createdBy: 'u1', avatar: { kind: 'initials', value: 'ABCD', color: '#000000' } },
    ],
    ['avatar.kind', { name: 'A', model: 'm', createdBy: 'u1', avatar: { kind: 'photo', value: 'x' } }],
    ['instructions', { name: 'A', model: 'm', createdBy: 'u1', instructions: 'x'.repeat(20_001) }],
  ])('rejects a bad %s', (field, input) => {
    const error = thrown(() => createSidekiq(doc, input as never))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.fields).toHaveProperty([field])
    expect(listSidekiqs(doc)).toEqual([])
  })

  test('accepts six starters and a flag emoji', () => {
    const s = createSidekiq(doc, {
      name: 'A',
      model: 'm',
      createdBy: 'u1',
      conversationStarters: ['1', '2', '3', '4', '5', '6'],
      avatar: { kind: 'emoji', value: '🇫🇷' },
    })
    expect(s.conversationStarters).toHaveLength(6)
    expect(s.avatar.value).toBe('🇫🇷')
  })
})

describe('listSidekiqs', () => {
  test('lists favorites first, then by name ignoring case', () => {
    createSidekiq(doc, { id: 'b', name: 'beta', model: 'm', createdBy: 'u1' })
    createSidekiq(doc, { id: 'a', name: 'Alpha', model: 'm', createdBy: 'u1' })
    createSidekiq(doc, { id: 'z', name: 'Zed', model: 'm', createdBy: 'u1', favorite: true })
    expect(listSidekiqs(doc).map((s) => s.id)).toEqual(['z', 'a', 'b'])
  })
})

describe('updateSidekiq', () => {
  beforeEach(() => {
    writer()
    vi.setSystemTime(2_000)
  })

  test('changes only the given fields and moves updatedAt', () => {
    const s = updateSidekiq(doc, 's1', {
      description: 'New',
      model: 'gpt-z',
      favorite: true,
      avatar: { kind: 'emoji', value: '✍️' },
      conversationStarters: ['Only one'],
    })
    expect(s).toMatchObject({
      name: 'Writer',
      description: 'New',
      model: 'gpt-z',
      favorite: true,
      avatar: { kind: 'emoji', value: '✍️' },
      conversationStarters: ['Only one'],
      instructions: 'Be concise.',
      updatedAt: 2_000,
      createdAt: 1_000,
    })
    expect(getSidekiq(doc, 's1')).toEqual(s)
  })

  test('renames, also to a different case of its own name', () => {
    expect(updateSidekiq(doc, 's1', { name: 'WRITER' }).name).toBe('WRITER')
    expect(updateSidekiq(doc, 's1', { name: 'Editor' }).name).toBe('Editor')
  })

  test("refuses to take another sidekiq's name", () => {
    createSidekiq(doc, { id: 's2', name: 'Coder', model: 'm', createdBy: 'u1' })
    const error = thrown(() => updateSidekiq(doc, 's2', { name: 'writer' }))
    expect(error.code).toBe('CONFLICT')
    expect(getSidekiq(doc, 's2')?.name).toBe('Coder')
  })

  test('refuses an empty patch and unknown fields', () => {
    expect(thrown(() => updateSidekiq(doc, 's1', {})).code).toBe('BAD_REQUEST')
    expect(thrown(() => updateSidekiq(doc, 's1', { instructions: 'x' } as never)).fields).toHaveProperty('instructions')
  })

  test('throws NOT_FOUND for an unknown sidekiq', () => {
    expect(thrown(() => updateSidekiq(doc, 'nope', { model: 'm' })).code).toBe('NOT_FOUND')
  })
})

describe('instructions', () => {
  beforeEach(() => {
    writer()
    vi.setSystemTime(3_000)
  })

  test('setSidekiqInstructions replaces the text and moves updatedAt', () => {
    expect(setSidekiqInstructions(doc, 's1', 'Be concise and kind.')).toMatchObject({
      instructions: 'Be concise and kind.',
      updatedAt: 3_000,
    })
  })

  test('setting the same text changes nothing', () => {
    const before = Y.encodeStateAsUpdate(doc)
    expect(setSidekiqInstructions(doc, 's1', 'Be concise.').updatedAt).toBe(1_000)
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
  })

  test.each([
    ['', 'something'],
    ['abc', ''],
    ['😀😀', '😀😁'],
    ['a😀b', 'a😁b'],
    ['same start, different end', 'same start, other end'],
    ['prefix 🎉 suffix', 'prefix 🎊 suffix'],
  ])('replaces %j with %j exactly, here and on a replica', (from, to) => {
    setSidekiqInstructions(doc, 's1', from)
    setSidekiqInstructions(doc, 's1', to)
    expect(getSidekiq(doc, 's1')?.instructions).toBe(to)
    // Updates carry text as UTF-8: a surrogate pair split across two edits would arrive as U+FFFD.
    expect(getSidekiq(replicaOf(doc), 's1')?.instructions).toBe(to)
  })

  test('getSidekiqInstructionsText returns the live text for an editor', () => {
    const text = getSidekiqInstructionsText(doc, 's1')
    expect(text).toBeInstanceOf(Y.Text)
    text!.insert(0, 'Always ')
    expect(getSidekiq(doc, 's1')?.instructions).toBe('Always Be concise.')
    expect(getSidekiqInstructionsText(doc, 'nope')).toBeNull()
  })
})

describe('deleteSidekiq', () => {
  test('removes it, and a second delete throws NOT_FOUND', () => {
    writer()
    deleteSidekiq(doc, 's1')
    expect(getSidekiq(doc, 's1')).toBeNull()
    expect(listSidekiqs(doc)).toEqual([])
    expect(thrown(() => deleteSidekiq(doc, 's1')).code).toBe('NOT_FOUND')
  })

  test('frees the name', () => {
    writer()
    deleteSidekiq(doc, 's1')
    expect(createSidekiq(doc, { name: 'writer', model: 'm', createdBy: 'u1' }).name).toBe('writer')
  })
})

describe('sidekiqs an update adds (the plan limit check)', () => {
  const updateFrom = (source: Y.Doc, base: Y.Doc) => Y.encodeStateAsUpdate(source, Y.encodeStateVector(base))
  const starter = (id: string, target: Y.Doc) =>
    createSidekiq(target, { id, name: `S ${id}`, instructions: '', model: 'demo', createdBy: 'u1' })

  test('names the new sidekiqs in an update, and only those', () => {
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    starter('new-1', other)
    starter('new-2', other)
    const update = updateFrom(other, doc)
    expect(sidekiqsAddedBy(doc, update).sort()).toEqual(['new-1', 'new-2'])
    expect(countSidekiqs(doc)).toBe(0)
    Y.applyUpdate(doc, update)
    expect(countSidekiqs(doc)).toBe(2)
    // Resent (a reconnecting client sends its whole state): nothing new.
    expect(sidekiqsAddedBy(doc, Y.encodeStateAsUpdate(other))).toEqual([])
  })

  test('an edit of an existing sidekiq, or a chat, adds none', () => {
    starter('kept', doc)
    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    updateSidekiq(other, 'kept', { name: 'Renamed' })
    other.getMap('chats').set('c1', 'x')
    expect(sidekiqsAddedBy(doc, updateFrom(other, doc))).toEqual([])
  })

  test('removeSidekiqs takes out the named ones in one change', () => {
    starter('a', doc)
    starter('b', doc)
    starter('c', doc)
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    removeSidekiqs(doc, ['a', 'c', 'gone'], LOCAL_ORIGIN)
    expect(listSidekiqs(doc).map((s) => s.id)).toEqual(['b'])
    expect(updates).toHaveLength(1)
  })
})
