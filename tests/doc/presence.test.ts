import { describe, expect, test } from 'vitest'
import { presenceColor, readPresence } from '../../shared/doc/presence'

const state = (id: string, name: string, chatId: string | null, typing = false) => ({
  user: { id, name, color: presenceColor(id) },
  chatId,
  typing,
})

describe('readPresence', () => {
  test('lists each person once, sorted by name, merging their tabs', () => {
    const people = readPresence(
      new Map<number, unknown>([
        [1, state('u2', 'Ben', 'c1')],
        [2, state('u1', 'Ada', null)],
        [3, state('u2', 'Ben', null, true)],
      ]),
    )
    expect(people.map((p) => p.name)).toEqual(['Ada', 'Ben'])
    expect(people[1]).toMatchObject({ id: 'u2', chatId: 'c1', typing: true })
  })

  test('skips states that are not presence (empty, another shape, a bad colour)', () => {
    const people = readPresence(
      new Map<number, unknown>([
        [1, {}],
        [2, { user: { id: 'x', name: 'X', color: 'red' }, chatId: null, typing: false }],
        [3, { user: 'u3' }],
        [4, state('u4', 'Dee', 'c2')],
      ]),
    )
    expect(people.map((p) => p.id)).toEqual(['u4'])
  })

  test('a colour is derived from the id, the same everywhere', () => {
    expect(presenceColor('abc')).toBe(presenceColor('abc'))
    expect(presenceColor('abc')).toMatch(/^#[0-9a-f]{6}$/)
  })
})
