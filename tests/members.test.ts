import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, signUp, type Harness } from './helpers/harness'
import {
  addInvitation,
  addMember,
  createWorkspace,
  errorOf,
  memberRow,
  memberRows,
  snapshot,
  uniqueEmail,
  uniqueSlug,
  workspaceRow,
} from './helpers/fixtures'

/**
 * Day-to-day membership: listing, role changes, removal, leaving, handing
 * the workspace over, and the workspace's own lifecycle (create, rename,
 * change slug, delete).
 */

let h: Harness

beforeAll(async () => {
  h = await createHarness()
})

afterAll(async () => {
  await h?.close()
})

/** A team workspace with an owner plus one admin, member and viewer. */
async function team() {
  const [owner, admin, member, viewer] = await Promise.all([
    signUp(h, 'Owner'),
    signUp(h, 'Admin'),
    signUp(h, 'Member'),
    signUp(h, 'Viewer'),
  ])
  const ws = await createWorkspace(owner)
  const ids = {
    owner: (await memberRow(h, ws.id, owner.user!.id))!.id,
    admin: await addMember(h, ws.id, admin.user!.id, 'admin'),
    member: await addMember(h, ws.id, member.user!.id, 'member'),
    viewer: await addMember(h, ws.id, viewer.user!.id, 'viewer'),
  }
  return { ws, owner, admin, member, viewer, ids }
}

async function owners(workspaceId: string) {
  return (await memberRows(h, workspaceId)).filter((m) => m.role === 'owner')
}

describe('listing members', () => {
  test('every member sees everyone with their role and user', async () => {
    const t = await team()
    for (const client of [t.owner, t.admin, t.member, t.viewer]) {
      const res = await client.get(`/api/auth/organization/list-members?organizationId=${t.ws.id}`)
      expect(res.status).toBe(200)
      expect(res.body.total).toBe(4)
      const byRole = Object.fromEntries(
        res.body.members.map((m: { role: string; user: { email: string } }) => [m.role, m.user.email]),
      )
      expect(byRole).toEqual({
        owner: t.owner.user!.email,
        admin: t.admin.user!.email,
        member: t.member.user!.email,
        viewer: t.viewer.user!.email,
      })
    }
  })
})

describe('changing roles', () => {
  test('the owner promotes a viewer to admin, who can then manage invitations', async () => {
    const t = await team()
    const email = uniqueEmail('later')
    expect(
      (
        await t.viewer.post('/api/auth/organization/invite-member', {
          organizationId: t.ws.id,
          email,
          role: 'member',
        })
      ).status,
    ).toBe(403)

    const res = await t.owner.post('/api/auth/organization/update-member-role', {
      organizationId: t.ws.id,
      memberId: t.ids.viewer,
      role: 'admin',
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: t.ids.viewer, role: 'admin' })
    expect(await memberRow(h, t.ws.id, t.viewer.user!.id)).toMatchObject({ role: 'admin' })

    // The new role applies at the next request.
    const invited = await t.viewer.post('/api/auth/organization/invite-member', {
      organizationId: t.ws.id,
      email,
      role: 'member',
    })
    expect(invited.status).toBe(200)
  })

  test('a demoted admin loses management rights at the next request', async () => {
    const t = await team()
    const res = await t.owner.post('/api/auth/organization/update-member-role', {
      organizationId: t.ws.id,
      memberId: t.ids.admin,
      role: 'viewer',
    })
    expect(res.status).toBe(200)
    const before = await snapshot(h, t.ws.id)
    const refused = await t.admin.post('/api/auth/organization/remove-member', {
      organizationId: t.ws.id,
      memberIdOrEmail: t.ids.member,
    })
    expect(refused.status).toBe(403)
    expect(await snapshot(h, t.ws.id)).toEqual(before)
  })

  test('a member of another workspace cannot be targeted through this one', async () => {
    const t = await team()
    const other = await team()
    const res = await t.owner.post('/api/auth/organization/update-member-role', {
      organizationId: t.ws.id,
      memberId: other.ids.member,
      role: 'viewer',
    })
    expect(res.status).toBe(404)
    expect(await memberRow(h, other.ws.id, other.member.user!.id)).toMatchObject({ role: 'member' })
  })
})

describe('removing members', () => {
  test('an admin removes a member by id and a viewer by email', async () => {
    const t = await team()
    const byId = await t.admin.post('/api/auth/organization/remove-member', {
      organizationId: t.ws.id,
      memberIdOrEmail: t.ids.member,
    })
    expect(byId.status).toBe(200)
    const byEmail = await t.admin.post('/api/auth/organization/remove-member', {
      organizationId: t.ws.id,
      memberIdOrEmail: t.viewer.user!.email.toUpperCase(),
    })
    expect(byEmail.status).toBe(200)
    expect((await memberRows(h, t.ws.id)).map((m) => m.role).sort()).toEqual(['admin', 'owner'])
  })

  test('nobody removes the owner', async () => {
    const t = await team()
    for (const client of [t.admin, t.owner]) {
      const res = await client.post('/api/auth/organization/remove-member', {
        organizationId: t.ws.id,
        memberIdOrEmail: t.ids.owner,
      })
      expect(res.status).toBe(403)
    }
    expect(await owners(t.ws.id)).toHaveLength(1)
  })
})

describe('leaving', () => {
  test.each(['admin', 'member', 'viewer'] as const)('a %s can leave', async (role) => {
    const t = await team()
    const leaver = t[role]
    await leaver.post('/api/auth/organization/set-active', { organizationId: t.ws.id })
    const res = await leaver.post('/api/auth/organization/leave', { organizationId: t.ws.id })
    expect(res.status).toBe(200)
    expect(await memberRow(h, t.ws.id, leaver.user!.id)).toBeNull()
    expect((await memberRows(h, t.ws.id)).length).toBe(3)
    const mine = (await leaver.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)
    expect(mine).not.toContain(t.ws.id)
    // Leaving the active workspace clears it from the session.
    expect((await leaver.get('/api/auth/get-session')).body.session.activeOrganizationId).not.toBe(t.ws.id)
  })

  test.each(['member', 'viewer'] as const)(
    'a %s removing themselves through remove-member is told to leave instead, not signed out',
    async (role) => {
      const t = await team()
      const res = await t[role].post('/api/auth/organization/remove-member', {
        organizationId: t.ws.id,
        memberIdOrEmail: t.ids[role],
      })
      expect(res.status).toBe(403)
      expect(errorOf(res).message).toMatch(/leave/i)
      expect(await memberRow(h, t.ws.id, t[role].user!.id)).toMatchObject({ role })
    },
  )

  test('an admin removing themselves through remove-member leaves', async () => {
    const t = await team()
    const res = await t.admin.post('/api/auth/organization/remove-member', {
      organizationId: t.ws.id,
      memberIdOrEmail: t.ids.admin,
    })
    expect(res.status).toBe(200)
    expect(await memberRow(h, t.ws.id, t.admin.user!.id)).toBeNull()
  })

  test('the owner must transfer ownership before leaving', async () => {
    const t = await team()
    const refused = await t.owner.post('/api/auth/organization/leave', { organizationId: t.ws.id })
    expect(refused.status).toBe(403)
    expect(errorOf(refused).message).toMatch(/transfer/i)
    expect(await memberRow(h, t.ws.id, t.owner.user!.id)).toMatchObject({ role: 'owner' })

    const transfer = await t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.admin })
    expect(transfer.status).toBe(200)
    const left = await t.owner.post('/api/auth/organization/leave', { organizationId: t.ws.id })
    expect(left.status).toBe(200)
    expect(await memberRow(h, t.ws.id, t.owner.user!.id)).toBeNull()
    expect(await owners(t.ws.id)).toEqual([expect.objectContaining({ userId: t.admin.user!.id })])
  })
})

describe('transferring ownership', () => {
  test('hands the workspace over in one step: one owner, the old one an admin, owner_id updated', async () => {
    const t = await team()
    const res = await t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.viewer })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      workspaceId: t.ws.id,
      ownerMemberId: t.ids.viewer,
      ownerUserId: t.viewer.user!.id,
      previousOwnerMemberId: t.ids.owner,
    })

    expect(await owners(t.ws.id)).toEqual([expect.objectContaining({ id: t.ids.viewer, userId: t.viewer.user!.id })])
    expect(await memberRow(h, t.ws.id, t.owner.user!.id)).toMatchObject({ role: 'admin' })
    expect((await workspaceRow(h, t.ws.id))!.ownerId).toBe(t.viewer.user!.id)

    // The new owner now holds the owner's rights, the old one no longer does.
    expect((await t.owner.post('/api/auth/organization/delete', { organizationId: t.ws.id })).status).toBe(403)
    const back = await t.viewer.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.owner })
    expect(back.status).toBe(200)
    expect((await workspaceRow(h, t.ws.id))!.ownerId).toBe(t.owner.user!.id)
  })

  test('to yourself is refused with 400 naming memberId', async () => {
    const t = await team()
    const res = await t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.owner })
    expect(res.status).toBe(400)
    expect(errorOf(res).fields).toHaveProperty('memberId')
    expect(await owners(t.ws.id)).toEqual([expect.objectContaining({ id: t.ids.owner })])
  })

  test('to someone who is not a member is refused', async () => {
    const t = await team()
    const before = await snapshot(h, t.ws.id)
    const res = await t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: 'nobody-here' })
    expect(res.status).toBe(404)
    expect(await snapshot(h, t.ws.id)).toEqual(before)
  })

  test('two concurrent transfers leave exactly one owner', async () => {
    const t = await team()
    const [a, b] = await Promise.all([
      t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.admin }),
      t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.member }),
    ])
    // The second runs after the first committed, when its caller is no longer the owner.
    expect([a.status, b.status].sort()).toEqual([200, 403])
    const winner = a.status === 200 ? t.ids.admin : t.ids.member
    const rows = await memberRows(h, t.ws.id)
    expect(rows.filter((m) => m.role === 'owner').map((m) => m.id)).toEqual([winner])
    expect(rows.find((m) => m.id === t.ids.owner)?.role).toBe('admin')
    const ownerRow = rows.find((m) => m.id === winner)!
    expect((await workspaceRow(h, t.ws.id))!.ownerId).toBe(ownerRow.userId)
  })

  test('a transfer racing a transfer back still leaves exactly one owner', async () => {
    const t = await team()
    // Owner hands to admin while, at the same moment, trying again to the viewer.
    const results = await Promise.all([
      t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.admin }),
      t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.viewer }),
      t.owner.post(`/api/workspaces/${t.ws.id}/transfer-ownership`, { memberId: t.ids.member }),
    ])
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    const rows = await memberRows(h, t.ws.id)
    const ownersNow = rows.filter((m) => m.role === 'owner')
    expect(ownersNow).toHaveLength(1)
    expect((await workspaceRow(h, t.ws.id))!.ownerId).toBe(ownersNow[0].userId)
  })
})

describe('the workspace itself', () => {
  test('create: the creator is its only member, as owner, and it is listed and active', async () => {
    const user = await signUp(h, 'Founder')
    const slug = uniqueSlug('acme')
    const res = await user.post('/api/auth/organization/create', { name: 'Acme, Inc.', slug })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      name: 'Acme, Inc.',
      slug,
      isPersonal: false,
      ownerId: user.user!.id,
      plan: 'free',
    })
    expect(await memberRows(h, res.body.id)).toEqual([
      expect.objectContaining({ userId: user.user!.id, role: 'owner' }),
    ])
    const mine = (await user.get('/api/workspaces')).body.workspaces
    expect(mine).toContainEqual(expect.objectContaining({ id: res.body.id, role: 'owner', isPersonal: false }))
    expect((await user.get('/api/auth/get-session')).body.session.activeOrganizationId).toBe(res.body.id)
    const bySlug = await user.get(`/api/workspaces/by-slug/${slug}`)
    expect(bySlug.body).toMatchObject({ role: 'owner', workspace: { id: res.body.id, memberCount: 1 } })
  })

  test('create with a slug already in use is refused', async () => {
    const [a, b] = await Promise.all([signUp(h, 'First'), signUp(h, 'Second')])
    const slug = uniqueSlug('taken')
    await createWorkspace(a, { slug })
    const res = await b.post('/api/auth/organization/create', { name: 'Copycat', slug })
    expect([400, 409]).toContain(res.status)
    const mine = (await b.get('/api/workspaces')).body.workspaces
    expect(mine.map((w: { slug: string }) => w.slug)).not.toContain(slug)
  })

  test('simultaneous creates with one slug make one workspace; the others get 4xx naming the slug, never 500', async () => {
    const user = await signUp(h, 'Racer')
    const slug = uniqueSlug('contested')
    const results = await Promise.all(
      Array.from({ length: 4 }, () => user.post('/api/auth/organization/create', { name: 'Contested', slug })),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    for (const r of results.filter((r) => r.status !== 200)) {
      expect([400, 409]).toContain(r.status)
      if (r.status === 409) expect(errorOf(r).fields).toHaveProperty('slug')
    }
    const mine = (await user.get('/api/workspaces')).body.workspaces.filter((w: { slug: string }) => w.slug === slug)
    expect(mine).toHaveLength(1)
  })

  test('rename and change slug; the new slug resolves and the old one no longer does', async () => {
    const t = await team()
    const newSlug = uniqueSlug('renamed')
    const res = await t.admin.post('/api/auth/organization/update', {
      organizationId: t.ws.id,
      data: { name: '  New name  ', slug: newSlug },
    })
    expect(res.status).toBe(200)
    expect(await workspaceRow(h, t.ws.id)).toMatchObject({ name: 'New name', slug: newSlug })
    expect((await t.member.get(`/api/workspaces/by-slug/${newSlug}`)).body.workspace.id).toBe(t.ws.id)
    expect((await t.member.get(`/api/workspaces/by-slug/${t.ws.slug}`)).status).toBe(404)
  })

  test("changing to another workspace's slug is refused", async () => {
    const t = await team()
    const other = await createWorkspace(t.owner)
    const res = await t.owner.post('/api/auth/organization/update', {
      organizationId: t.ws.id,
      data: { slug: other.slug },
    })
    expect([400, 409]).toContain(res.status)
    expect((await workspaceRow(h, t.ws.id))!.slug).toBe(t.ws.slug)
    expect((await workspaceRow(h, other.id))!.slug).toBe(other.slug)
  })

  test('the owner deletes it; members, invitations and lists forget it', async () => {
    const t = await team()
    await addInvitation(h, t.ws.id, t.owner.user!.id, uniqueEmail('never'))
    const res = await t.owner.post('/api/auth/organization/delete', { organizationId: t.ws.id })
    expect(res.status).toBe(200)
    expect(await snapshot(h, t.ws.id)).toEqual({ workspace: null, members: [], invitations: [] })
    for (const client of [t.owner, t.admin, t.member, t.viewer]) {
      const ids = (await client.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)
      expect(ids).not.toContain(t.ws.id)
      // Everyone keeps their personal workspace.
      expect(ids).toHaveLength(1)
    }
  })
})
