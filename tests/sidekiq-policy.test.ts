import { describe, expect, test } from 'vitest'
import { WORKSPACE_ROLES } from '../shared/roles'
import { canCreateSidekiq, canEditSidekiq } from '../shared/sidekiq-policy'

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
