import * as Y from 'yjs'
import { beforeEach, describe, expect, test, vi } from 'vitest'
import {
  createSidekiq,
  deleteSidekiq,
  duplicateSidekiq,
  getSidekiq,
  listSidekiqs,
  MAX_SIDEKIQ_NAME_LENGTH,
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
    model: 'openai:gpt-4o',
    avatar: { kind: 'initials', value: 'WR', color: '#4f46e5' },
    favorite: true,
    createdBy: 'u1',
  })

describe('duplicateSidekiq', () => {
  test('copies what the sidekiq says and does under "<name> (copy)", owned by the copier, not a favorite', () => {
    writer()
    vi.setSystemTime(5_000)
    const copy = duplicateSidekiq(doc, 's1', { createdBy: 'u2' })
    expect(copy.id).not.toBe('s1')
    expect(copy).toEqual({
      id: copy.id,
      name: 'Writer (copy)',
      description: 'Edits prose',
      instructions: 'Be concise.',
      conversationStarters: ['Tighten this', 'Fix my grammar'],
      model: 'openai:gpt-4o',
      avatar: { kind: 'initials', value: 'WR', color: '#4f46e5' },
      favorite: false,
      createdBy: 'u2',
      createdAt: 5_000,
      updatedAt: 5_000,
    })
    expect(getSidekiq(doc, copy.id)).toEqual(copy)
    expect(getSidekiq(doc, 's1')).toMatchObject({ name: 'Writer', createdBy: 'u1', favorite: true })
  })

  test('numbers further copies, and reuses a number freed by a delete', () => {
    writer()
    const first = duplicateSidekiq(doc, 's1', { createdBy: 'u1' })
    const second = duplicateSidekiq(doc, 's1', { createdBy: 'u1' })
    const third = duplicateSidekiq(doc, 's1', { createdBy: 'u1' })
    expect([first.name, second.name, third.name]).toEqual(['Writer (copy)', 'Writer (copy 2)', 'Writer (copy 3)'])
    deleteSidekiq(doc, second.id)
    expect(duplicateSidekiq(doc, 's1', { createdBy: 'u1' }).name).toBe('Writer (copy 2)')
  })

  test('a name taken in another case counts as taken', () => {
    writer()
    createSidekiq(doc, { name: 'WRITER (COPY)', model: 'demo', createdBy: 'u1' })
    expect(duplicateSidekiq(doc, 's1', { createdBy: 'u1' }).name).toBe('Writer (copy 2)')
  })

  test('cuts a long name so the copy stays within the name limit', () => {
    const long = 'x'.repeat(MAX_SIDEKIQ_NAME_LENGTH)
    createSidekiq(doc, { id: 'long', name: long, model: 'demo', createdBy: 'u1' })
    const copy = duplicateSidekiq(doc, 'long', { createdBy: 'u1' })
    expect(copy.name).toHaveLength(MAX_SIDEKIQ_NAME_LENGTH)
    expect(copy.name.endsWith(' (copy)')).toBe(true)
    expect(duplicateSidekiq(doc, 'long', { createdBy: 'u1' }).name.endsWith(' (copy 2)')).toBe(true)
  })

  test('the copy is independent: editing it leaves the original alone', () => {
    writer()
    const copy = duplicateSidekiq(doc, 's1', { createdBy: 'u1' })
    updateSidekiq(doc, copy.id, { conversationStarters: ['Only this'], description: 'Changed' })
    expect(getSidekiq(doc, 's1')).toMatchObject({
      description: 'Edits prose',
      conversationStarters: ['Tighten this', 'Fix my grammar'],
    })
  })

  test('reaches a peer like any new sidekiq', () => {
    writer()
    const peer = replicaOf(doc)
    const copy = duplicateSidekiq(doc, 's1', { createdBy: 'u1' })
    Y.applyUpdate(peer, Y.encodeStateAsUpdate(doc, Y.encodeStateVector(peer)))
    expect(listSidekiqs(peer).map((s) => s.name)).toEqual(['Writer', 'Writer (copy)'])
    expect(getSidekiq(peer, copy.id)).toEqual(copy)
  })

  test('throws NOT_FOUND for an unknown sidekiq and BAD_REQUEST without an author, writing nothing', () => {
    writer()
    expect(thrown(() => duplicateSidekiq(doc, 'nope', { createdBy: 'u1' })).code).toBe('NOT_FOUND')
    const bad = thrown(() => duplicateSidekiq(doc, 's1', { createdBy: '' }))
    expect(bad.code).toBe('BAD_REQUEST')
    expect(bad.fields).toHaveProperty('createdBy')
    expect(listSidekiqs(doc)).toHaveLength(1)
  })
})
