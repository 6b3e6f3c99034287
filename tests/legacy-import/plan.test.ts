import { describe, expect, test } from 'vitest'
import { invitationId } from '../../db/legacy-import/ids'
import { catalogModel } from '../../db/legacy-import/models'
import { chunkEnds } from '../../db/legacy-import/plan-chats'
import { teamSlug } from '../../db/legacy-import/plan-teams'
import { planUsers } from '../../db/legacy-import/plan-users'
import type { LegacyUser } from '../../db/legacy-import/legacy-rows'

const legacyUser = (id: string, email: string, verified: boolean): LegacyUser => ({
  id,
  name: id,
  email,
  email_verified: verified,
  image: null,
  created_at: new Date(0),
  updated_at: new Date(0),
  preferences: null,
})

describe('planning the legacy import', () => {
  test('team slugs are the same on every run, never reserved or personal', () => {
    expect(teamSlug('Acme, Inc.')).toBe('acme-inc')
    expect(teamSlug('QA')).toBe('qa-team')
    expect(teamSlug('!!')).toBe('team')
    expect(teamSlug('QA')).toBe(teamSlug('QA'))
    expect(teamSlug('API')).toBe('team-api')
    expect(teamSlug('Personal stuff')).toBe('team-personal-stuff')
    expect(teamSlug('personal')).toBe('personal')
  })

  test('legacy model names map to catalog ids, unknown bare names to nothing', () => {
    expect(catalogModel('gpt-4o')).toBe('openai:gpt-4o')
    expect(catalogModel('claude-sonnet-4-0')).toBe('anthropic:claude-sonnet-4-0')
    expect(catalogModel('anthropic/claude-3-5-haiku-latest')).toBe('anthropic:claude-3-5-haiku-latest')
    expect(catalogModel('openai:llama3.2')).toBe('openai:llama3.2')
    expect(catalogModel('llama3.2')).toBeNull()
    expect(catalogModel('  ')).toBeNull()
    expect(catalogModel(null)).toBeNull()
  })

  test('a long chat is cut into prefixes by text size and message count', () => {
    const m = (n: number) => ({ content: 'x'.repeat(n) })
    expect(chunkEnds([m(10), m(10), m(10)], 100, 10)).toEqual([3])
    expect(chunkEnds([m(60), m(60), m(60)], 100, 10)).toEqual([1, 2, 3])
    expect(chunkEnds([m(1), m(1), m(1), m(1), m(1)], 100, 2)).toEqual([2, 4, 5])
    // One message bigger than the budget still goes, alone.
    expect(chunkEnds([m(500)], 100, 10)).toEqual([1])
    expect(chunkEnds([], 100, 10)).toEqual([0])
  })

  test('an invitation keeps the old token as its id when it is a fit secret, else a hash of it', () => {
    expect(invitationId('tok_abcdefghijklmnop')).toBe('tok_abcdefghijklmnop')
    expect(invitationId('short')).toMatch(/^legacy-invitation-[\w-]{27}$/)
    expect(invitationId('has spaces and is long enough')).not.toContain(' ')
  })

  test('an existing account is matched only when both sides verified the email', () => {
    const plan = planUsers(
      [
        legacyUser('a', 'A@x.com', true),
        legacyUser('b', 'b@x.com', false),
        legacyUser('c', 'c@x.com', true),
        legacyUser('d', 'a@x.com', true),
        legacyUser('e', 'e@x.com', true),
      ],
      [],
      [
        { id: 'here_a', email: 'a@x.com', emailVerified: true },
        { id: 'here_b', email: 'b@x.com', emailVerified: true },
        { id: 'here_c', email: 'c@x.com', emailVerified: false },
        { id: 'e', email: 'someone-else@x.com', emailVerified: true },
      ],
    )
    expect(plan.users.get('a')).toMatchObject({ targetId: 'here_a', matched: true, email: 'a@x.com' })
    expect([...plan.users.keys()]).toEqual(['a'])
    expect(plan.skipped.map((s) => [s.id, s.reason.split(':')[0]])).toEqual([
      ['b', 'conflict'],
      ['c', 'conflict'],
      ['d', 'same email as legacy user a (skipped with their threads and sidekiqs)'],
      ['e', 'the id belongs to another account here (skipped with their threads and sidekiqs)'],
    ])
  })
})
