import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { workspace } from '../db/schema'
import { allowConsoleErrors } from './helpers/console-guard'
import { createHarness, signUp, TestClient, type Harness } from './helpers/harness'
import {
  PASSWORD,
  addMember,
  createWorkspace,
  errorOf,
  memberRows,
  signIn,
  snapshot,
  uniqueEmail,
  workspaceRow,
} from './helpers/fixtures'

/**
 * Every user has exactly one personal workspace from sign-up on. It is a
 * workspace like any other, except that it has one member forever: it cannot
 * be deleted, left, invited into or handed over.
 */

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})

afterAll(async () => {
  await h?.close()
})

async function personalOf(userId: string) {
  return h.db
    .select()
    .from(workspace)
    .where(and(eq(workspace.ownerId, userId), eq(workspace.isPersonal, true)))
}

/** The PostgreSQL error code behind a failed query, whichever driver threw it. */
function pgCode(error: unknown): string | undefined {
  let e = error as { code?: unknown; cause?: unknown } | undefined
  while (e) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code
    e = e.cause as typeof e
  }
  return undefined
}

describe('sign-up', () => {
  test('creates exactly one personal workspace, listed at once and active in the session', async () => {
    const user = await signUp(h, 'Solo')
    const rows = await personalOf(user.user!.id)
    expect(rows).toHaveLength(1)
    const personal = rows[0]
    expect(await memberRows(h, personal.id)).toEqual([
      expect.objectContaining({ userId: user.user!.id, role: 'owner' }),
    ])

    const list = await user.get('/api/auth/organization/list')
    expect(list.status).toBe(200)
    expect(list.body).toEqual([expect.objectContaining({ id: personal.id, isPersonal: true })])

    const session = await user.get('/api/auth/get-session')
    expect(session.body.session.activeOrganizationId).toBe(personal.id)

    const mine = await user.get('/api/workspaces')
    expect(mine.body.workspaces).toEqual([
      expect.objectContaining({ id: personal.id, isPersonal: true, role: 'owner' }),
    ])
  })

  test('simultaneous sign-ups with one email make one account with one personal workspace', async () => {
    // The losers' unique violations are logged by better-auth; that is the race being lost, as intended.
    allowConsoleErrors(/Failed to create user/)
    const email = uniqueEmail('eager')
    const attempts = Array.from({ length: 3 }, () => new TestClient(h))
    const results = await Promise.all(
      attempts.map((c) => c.post('/api/auth/sign-up/email', { name: 'Eager', email, password: PASSWORD })),
    )
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBeGreaterThanOrEqual(400)
      expect(r.status).toBeLessThan(500)
    }
    const userId = winners[0].body.user.id
    expect(await personalOf(userId)).toHaveLength(1)
  })

  test('a later sign-in starts in the personal workspace, whatever another session switched to', async () => {
    const user = await signUp(h, 'Switcher')
    const [personal] = await personalOf(user.user!.id)
    const team = await createWorkspace(user)
    // Creating a workspace makes it active in this session.
    expect((await user.get('/api/auth/get-session')).body.session.activeOrganizationId).toBe(team.id)

    const second = await signIn(h, user.user!.email)
    expect((await second.get('/api/auth/get-session')).body.session.activeOrganizationId).toBe(personal.id)
    expect(await personalOf(user.user!.id)).toHaveLength(1)
  })
})

describe('what a personal workspace refuses', () => {
  test('it cannot be deleted', async () => {
    const user = await signUp(h, 'Keeper')
    const [personal] = await personalOf(user.user!.id)
    const res = await user.post('/api/auth/organization/delete', { organizationId: personal.id })
    expect(res.status).toBe(403)
    expect(await workspaceRow(h, personal.id)).not.toBeNull()
  })

  test('it cannot be left', async () => {
    const user = await signUp(h, 'Stayer')
    const [personal] = await personalOf(user.user!.id)
    const before = await snapshot(h, personal.id)
    const left = await user.post('/api/auth/organization/leave', { organizationId: personal.id })
    expect(left.status).toBe(403)
    const [me] = before.members
    const removed = await user.post('/api/auth/organization/remove-member', {
      organizationId: personal.id,
      memberIdOrEmail: me.id,
    })
    expect(removed.status).toBe(403)
    expect(await snapshot(h, personal.id)).toEqual(before)
  })

  test('nobody can be invited into it', async () => {
    const user = await signUp(h, 'Alone')
    const [personal] = await personalOf(user.user!.id)
    for (const role of ['admin', 'member', 'viewer']) {
      const res = await user.post('/api/auth/organization/invite-member', {
        organizationId: personal.id,
        email: uniqueEmail('guest'),
        role,
      })
      expect(res.status).toBe(403)
      expect(errorOf(res).message).toMatch(/personal/i)
    }
    expect((await snapshot(h, personal.id)).invitations).toEqual([])
  })

  test('its ownership cannot be transferred, even to a member slipped in behind the rules', async () => {
    const user = await signUp(h, 'Holder')
    const other = await signUp(h, 'Heir')
    const [personal] = await personalOf(user.user!.id)
    const heirMemberId = await addMember(h, personal.id, other.user!.id, 'admin')
    const before = await snapshot(h, personal.id)

    const res = await user.post(`/api/workspaces/${personal.id}/transfer-ownership`, { memberId: heirMemberId })
    expect(res.status).toBe(403)
    expect(errorOf(res).message).toMatch(/personal/i)
    expect(await snapshot(h, personal.id)).toEqual(before)
  })

  test('the database itself refuses a second personal workspace for the same owner', async () => {
    const user = await signUp(h, 'Twice')
    const id = randomUUID()
    let error: unknown
    try {
      await h.db.insert(workspace).values({
        id,
        name: 'Second personal',
        slug: `personal-${id.slice(0, 8)}`,
        isPersonal: true,
        ownerId: user.user!.id,
      })
    } catch (e) {
      error = e
    }
    expect(error).toBeDefined()
    expect(pgCode(error)).toBe('23505') // unique_violation
    expect(await personalOf(user.user!.id)).toHaveLength(1)

    // The same owner may hold any number of non-personal workspaces.
    await h.db.insert(workspace).values({ id, name: 'Team', slug: `team-${id.slice(0, 8)}`, ownerId: user.user!.id })
    expect(await workspaceRow(h, id)).toMatchObject({ isPersonal: false })
  })

  test('the API cannot turn a workspace into a personal one or take away the flag', async () => {
    const user = await signUp(h, 'Flagger')
    const [personal] = await personalOf(user.user!.id)
    const team = await createWorkspace(user)
    const res = await user.post('/api/auth/organization/update', {
      organizationId: team.id,
      data: { name: 'Sneaky', isPersonal: true },
    })
    expect(res.status).toBe(400)
    expect(await workspaceRow(h, team.id)).toMatchObject({ isPersonal: false, name: team.name })
    expect(await workspaceRow(h, personal.id)).toMatchObject({ isPersonal: true })
  })
})

describe('otherwise it is an ordinary workspace', () => {
  test('it can be renamed and read like any other', async () => {
    const user = await signUp(h, 'Renamer')
    const [personal] = await personalOf(user.user!.id)
    const res = await user.post('/api/auth/organization/update', {
      organizationId: personal.id,
      data: { name: 'My own place' },
    })
    expect(res.status).toBe(200)
    expect(await workspaceRow(h, personal.id)).toMatchObject({ name: 'My own place', isPersonal: true })

    const full = await user.get(`/api/auth/organization/get-full-organization?organizationId=${personal.id}`)
    expect(full.status).toBe(200)
    expect(full.body).toMatchObject({ id: personal.id, name: 'My own place' })
    const bySlug = await user.get(`/api/workspaces/by-slug/${personal.slug}`)
    expect(bySlug.status).toBe(200)
    expect(bySlug.body).toMatchObject({ role: 'owner', workspace: { id: personal.id, isPersonal: true } })
  })
})

describe('personal slugs', () => {
  test('are personal-<12 hex> and nobody can claim one for another workspace', async () => {
    const user = await signUp(h, 'Squatter')
    const { workspaces } = (await user.get('/api/workspaces')).body
    expect(workspaces[0].slug).toMatch(/^personal-[a-f0-9]{12}$/)

    const claim = await user.post('/api/auth/organization/create', { name: 'Squat', slug: 'personal-0123456789ab' })
    expect(claim.status).toBe(400)
    expect(errorOf(claim).fields).toHaveProperty('slug')

    const rename = await user.post('/api/auth/organization/update', {
      organizationId: workspaces[0].id,
      data: { slug: 'personal-ffffffffffff' },
    })
    expect(rename.status).toBe(400)
    expect(errorOf(rename).fields).toHaveProperty('data.slug')
  })
})
