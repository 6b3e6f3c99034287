import { describe, expect, test } from 'vitest'
import type { Sidekiq } from '../shared/doc'
import { WORKSPACE_ROLES } from '../shared/roles'
import { canCreateSidekiq, canEditSidekiq, sidekiqAfterChange } from '../shared/sidekiq-policy'

// role: [create, edit own, edit another's]
const EXPECTED = {
  owner: [true, true, true],
  admin: [true, true, true],
  member: [true, true, false],
  viewer: [false, false, false],
} as const

describe('who may create, edit and delete sidekiqs', () => {
  const rows = WORKSPACE_ROLES.map((role) => ({ role, expected: EXPECTED[role] }))
  test.each(rows)('$role: create, own, another’s = $expected', ({ role, expected }) => {
    const own = { createdBy: 'me' }
    const another = { createdBy: 'someone-else' }
    expect([canCreateSidekiq(role), canEditSidekiq(role, own, 'me'), canEditSidekiq(role, another, 'me')]).toEqual(
      expected,
    )
  })
})

describe('what stands of a change to a sidekiq (sidekiqAfterChange)', () => {
  const mine: Sidekiq = {
    id: 's1',
    name: 'Writer',
    description: '',
    instructions: 'Be concise.',
    conversationStarters: ['Tighten this'],
    model: 'demo',
    avatar: { kind: 'emoji', value: '🤖' },
    favorite: false,
    createdBy: 'me',
    createdAt: 1,
    updatedAt: 1,
  }
  const theirs: Sidekiq = { ...mine, createdBy: 'someone-else' }
  const renamed = (s: Sidekiq) => ({ ...s, name: 'Renamed', updatedAt: 2 })
  const starred = (s: Sidekiq) => ({ ...s, favorite: true, updatedAt: 2 })

  test('a member edits and deletes their own; another’s edit, delete or new instructions go back', () => {
    const own = renamed(mine)
    expect(sidekiqAfterChange('member', 'me', mine, own)).toBe(own)
    expect(sidekiqAfterChange('member', 'me', mine, null)).toBeNull()
    expect(sidekiqAfterChange('member', 'me', theirs, renamed(theirs))).toEqual(theirs)
    expect(sidekiqAfterChange('member', 'me', theirs, { ...theirs, instructions: 'Leak.' })).toEqual(theirs)
    expect(sidekiqAfterChange('member', 'me', theirs, { ...theirs, conversationStarters: [] })).toEqual(theirs)
    expect(sidekiqAfterChange('member', 'me', theirs, null)).toBe(theirs)
  })

  test.each(['owner', 'admin'] as const)('an %s edits and deletes anyone’s', (role) => {
    const edited = renamed(theirs)
    expect(sidekiqAfterChange(role, 'me', theirs, edited)).toBe(edited)
    expect(sidekiqAfterChange(role, 'me', theirs, null)).toBeNull()
  })

  test.each(['owner', 'admin', 'member'] as const)('an %s stars and unstars anyone’s', (role) => {
    const star = starred(theirs)
    expect(sidekiqAfterChange(role, 'me', theirs, star)).toBe(star)
    const unstar = { ...star, favorite: false, updatedAt: 3 }
    expect(sidekiqAfterChange(role, 'me', star, unstar)).toBe(unstar)
  })

  test('a member’s star on another’s sidekiq stays when the rest of the change goes back', () => {
    expect(sidekiqAfterChange('member', 'me', theirs, { ...renamed(theirs), favorite: true })).toEqual({
      ...theirs,
      favorite: true,
    })
  })

  test('a viewer changes nothing, not even a star', () => {
    expect(sidekiqAfterChange('viewer', 'me', mine, starred(mine))).toBe(mine)
    expect(sidekiqAfterChange('viewer', 'me', mine, renamed(mine))).toEqual(mine)
    expect(sidekiqAfterChange('viewer', 'me', null, mine)).toBeNull()
  })

  test.each(['owner', 'admin', 'member'] as const)(
    'an %s creates only in their own name and never changes who made one',
    (role) => {
      expect(sidekiqAfterChange(role, 'me', null, mine)).toBe(mine)
      expect(sidekiqAfterChange(role, 'me', null, theirs)).toBeNull()
      expect(sidekiqAfterChange(role, 'me', mine, { ...mine, createdBy: 'someone-else' })).toEqual(mine)
      expect(sidekiqAfterChange(role, 'me', theirs, { ...theirs, createdBy: 'me' })).toEqual(theirs)
    },
  )

  test('nothing readable before or after is nothing to undo', () => {
    expect(sidekiqAfterChange('member', 'me', null, null)).toBeNull()
  })
})
