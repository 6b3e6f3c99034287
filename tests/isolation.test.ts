import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { invitation, mailOutbox, member, session, workspace } from '../db/schema'
import { createHarness, signUp, type ApiResult, type Harness, type TestClient } from './helpers/harness'
import {
  addMember,
  createWorkspace,
  errorOf,
  ghostId,
  snapshot,
  uniqueEmail,
  uniqueSlug,
  workspaceRow,
} from './helpers/fixtures'

/**
 * A workspace is a closed room: someone outside it gets, from every
 * endpoint, exactly the answer they would get for a workspace that does not
 * exist, and nothing they send changes it.
 */

let h: Harness
let owner: TestClient
let adminUser: TestClient
let outsider: TestClient

interface Target {
  id: string
  slug: string
  memberId: string
  memberEmail: string
  invitationId: string
}

let victim: Target
/** The outsider's own workspace, where they are owner. */
let home: { id: string; slug: string }

beforeAll(async () => {
  h = await createHarness()
  ;[owner, adminUser, outsider] = await Promise.all([signUp(h, 'Victim'), signUp(h, 'Colleague'), signUp(h, 'Prober')])
  const ws = await createWorkspace(owner)
  const memberId = await addMember(h, ws.id, adminUser.user!.id, 'admin')
  const inv = await owner.post('/api/auth/organization/invite-member', {
    organizationId: ws.id,
    email: uniqueEmail('pending'),
    role: 'member',
  })
  expect(inv.status).toBe(200)
  victim = { id: ws.id, slug: ws.slug, memberId, memberEmail: adminUser.user!.email, invitationId: inv.body.id }
  home = await createWorkspace(outsider)
})

afterAll(async () => {
  await h?.close()
})

function ghost(): Target {
  return {
    id: ghostId(),
    slug: uniqueSlug('ghost'),
    memberId: ghostId(),
    memberEmail: uniqueEmail('ghost'),
    invitationId: ghostId(),
  }
}

type Probe = [name: string, run: (c: TestClient, t: Target) => Promise<ApiResult>]

const PROBES: Probe[] = [
  ['list members by id', (c, t) => c.get(`/api/auth/organization/list-members?organizationId=${t.id}`)],
  ['list members by slug', (c, t) => c.get(`/api/auth/organization/list-members?organizationSlug=${t.slug}`)],
  [
    'get-full-organization by id',
    (c, t) => c.get(`/api/auth/organization/get-full-organization?organizationId=${t.id}`),
  ],
  [
    'get-full-organization by slug',
    (c, t) => c.get(`/api/auth/organization/get-full-organization?organizationSlug=${t.slug}`),
  ],
  ['get-organization by id', (c, t) => c.get(`/api/auth/organization/get-organization?organizationId=${t.id}`)],
  ['get-active-member-role', (c, t) => c.get(`/api/auth/organization/get-active-member-role?organizationId=${t.id}`)],
  [
    'has-permission',
    (c, t) =>
      c.post('/api/auth/organization/has-permission', { organizationId: t.id, permissions: { member: ['create'] } }),
  ],
  ['update', (c, t) => c.post('/api/auth/organization/update', { organizationId: t.id, data: { name: 'Pwned' } })],
  [
    'change slug',
    (c, t) => c.post('/api/auth/organization/update', { organizationId: t.id, data: { slug: uniqueSlug('pwned') } }),
  ],
  ['delete', (c, t) => c.post('/api/auth/organization/delete', { organizationId: t.id })],
  [
    'invite',
    (c, t) =>
      c.post('/api/auth/organization/invite-member', {
        organizationId: t.id,
        email: uniqueEmail('mole'),
        role: 'admin',
      }),
  ],
  ['cancel invitation', (c, t) => c.post('/api/auth/organization/cancel-invitation', { invitationId: t.invitationId })],
  ['list invitations', (c, t) => c.get(`/api/auth/organization/list-invitations?organizationId=${t.id}`)],
  [
    'remove member by id',
    (c, t) => c.post('/api/auth/organization/remove-member', { organizationId: t.id, memberIdOrEmail: t.memberId }),
  ],
  [
    'remove member by email',
    (c, t) => c.post('/api/auth/organization/remove-member', { organizationId: t.id, memberIdOrEmail: t.memberEmail }),
  ],
  [
    'update member role',
    (c, t) =>
      c.post('/api/auth/organization/update-member-role', {
        organizationId: t.id,
        memberId: t.memberId,
        role: 'viewer',
      }),
  ],
  ['set active by id', (c, t) => c.post('/api/auth/organization/set-active', { organizationId: t.id })],
  ['set active by slug', (c, t) => c.post('/api/auth/organization/set-active', { organizationSlug: t.slug })],
  [
    'set active by id, with my own slug as a decoy',
    (c, t) => c.post('/api/auth/organization/set-active', { organizationId: t.id, organizationSlug: home.slug }),
  ],
  [
    'list members by slug, with my own id as a decoy',
    (c, t) => c.get(`/api/auth/organization/list-members?organizationId=${home.id}&organizationSlug=${t.slug}`),
  ],
  ['leave', (c, t) => c.post('/api/auth/organization/leave', { organizationId: t.id })],
  ['transfer ownership', (c, t) => c.post(`/api/workspaces/${t.id}/transfer-ownership`, { memberId: t.memberId })],
  ['resend invitation', (c, t) => c.post(`/api/workspaces/${t.id}/invitations/${t.invitationId}/resend`)],
  ['workspace by slug', (c, t) => c.get(`/api/workspaces/by-slug/${t.slug}`)],
  ['workspace invitations', (c, t) => c.get(`/api/workspaces/${t.id}/invitations`)],
  ['export', (c, t) => c.get(`/api/workspaces/${t.id}/export`)],
  ['share a chat', (c, t) => c.post(`/api/workspaces/${t.id}/chats/c1/move`, { to: 'shared' })],
  ['make a chat private', (c, t) => c.post(`/api/workspaces/${t.id}/chats/c1/move`, { to: 'private' })],
]

/** The outsider acting in their own workspace but naming the victim's rows. */
const CROSS_PROBES: Probe[] = [
  [
    'remove a foreign member from my workspace',
    (c, t) => c.post('/api/auth/organization/remove-member', { organizationId: home.id, memberIdOrEmail: t.memberId }),
  ],
  [
    'change the role of a foreign member via my workspace',
    (c, t) =>
      c.post('/api/auth/organization/update-member-role', {
        organizationId: home.id,
        memberId: t.memberId,
        role: 'viewer',
      }),
  ],
  [
    'transfer my workspace to a foreign member',
    (c, t) => c.post(`/api/workspaces/${home.id}/transfer-ownership`, { memberId: t.memberId }),
  ],
  [
    'resend a foreign invitation via my workspace',
    (c, t) => c.post(`/api/workspaces/${home.id}/invitations/${t.invitationId}/resend`),
  ],
  [
    'accept an invitation meant for someone else',
    (c, t) => c.post('/api/auth/organization/accept-invitation', { invitationId: t.invitationId }),
  ],
]

describe('a non-member gets the same answer as for a workspace that does not exist', () => {
  test.each(PROBES)('%s', async (_name, run) => {
    const before = await snapshot(h, victim.id)
    const real = await run(outsider, victim)
    const missing = await run(outsider, ghost())
    expect(real.status).toBeGreaterThanOrEqual(400)
    expect(real).toEqual(missing)
    expect(await snapshot(h, victim.id)).toEqual(before)
  })

  test.each(CROSS_PROBES)('%s', async (_name, run) => {
    const before = await snapshot(h, victim.id)
    const real = await run(outsider, victim)
    const missing = await run(outsider, ghost())
    expect(real.status).toBeGreaterThanOrEqual(400)
    if (_name.startsWith('accept')) {
      // The invitee check necessarily differs (someone else's address); what
      // matters is that nothing is joined.
      expect(real.status).toBe(403)
    } else {
      expect(real).toEqual(missing)
    }
    expect(await snapshot(h, victim.id)).toEqual(before)
  })

  test('the answer is 404 "not found" everywhere, not a 403 that would confirm the workspace exists', async () => {
    for (const [name, run] of PROBES) {
      const res = await run(outsider, victim)
      expect({ name, status: res.status, code: errorOf(res).code }).toEqual({ name, status: 404, code: 'NOT_FOUND' })
    }
  })
})

describe('lists show only your own workspaces', () => {
  test('organization/list and /api/workspaces never include a foreign workspace', async () => {
    const orgList = await outsider.get('/api/auth/organization/list')
    expect(orgList.status).toBe(200)
    const ids = orgList.body.map((w: { id: string }) => w.id)
    expect(ids).toContain(home.id)
    expect(ids).not.toContain(victim.id)

    const mine = await outsider.get('/api/workspaces')
    expect(mine.status).toBe(200)
    const myIds = mine.body.workspaces.map((w: { id: string }) => w.id)
    expect(myIds.sort()).toEqual([...ids].sort())
    expect(myIds).not.toContain(victim.id)

    // And the victim's view holds their workspace, not the outsider's.
    const theirs = (await owner.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)
    expect(theirs).toContain(victim.id)
    expect(theirs).not.toContain(home.id)
  })

  test('an invitation alone does not make a workspace visible', async () => {
    const email = outsider.user!.email
    const ws = await createWorkspace(owner)
    const inv = await owner.post('/api/auth/organization/invite-member', {
      organizationId: ws.id,
      email,
      role: 'member',
    })
    expect(inv.status).toBe(200)
    const ids = (await outsider.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)
    expect(ids).not.toContain(ws.id)
    expect((await outsider.get(`/api/auth/organization/get-full-organization?organizationId=${ws.id}`)).status).toBe(
      404,
    )
  })
})

describe('losing access', () => {
  test('a removed member is refused at the very next request', async () => {
    const ws = await createWorkspace(owner)
    const gone = await signUp(h, 'Gone')
    const memberId = await addMember(h, ws.id, gone.user!.id, 'admin')
    expect((await gone.post('/api/auth/organization/set-active', { organizationId: ws.id })).status).toBe(200)
    const reads: Probe[] = [
      ['full (active)', (c) => c.get('/api/auth/organization/get-full-organization')],
      ['full', (c, t) => c.get(`/api/auth/organization/get-full-organization?organizationId=${t.id}`)],
      ['members', (c, t) => c.get(`/api/auth/organization/list-members?organizationId=${t.id}`)],
      ['by slug', (c, t) => c.get(`/api/workspaces/by-slug/${t.slug}`)],
      ['invitations', (c, t) => c.get(`/api/workspaces/${t.id}/invitations`)],
    ]
    const target = { ...ghost(), id: ws.id, slug: ws.slug }
    for (const [, run] of reads) expect((await run(gone, target)).status).toBe(200)

    const removed = await owner.post('/api/auth/organization/remove-member', {
      organizationId: ws.id,
      memberIdOrEmail: memberId,
    })
    expect(removed.status).toBe(200)
    expect(await h.db.select().from(member).where(eq(member.id, memberId))).toEqual([])

    for (const [name, run] of reads) {
      const res = await run(gone, target)
      expect({ name, status: res.status }).toEqual({ name, status: 404 })
      if (name !== 'full (active)') expect(res).toEqual(await run(gone, ghost()))
    }
    expect((await gone.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)).not.toContain(ws.id)
  })

  test('deleting a workspace removes its members, invitations and mail (FK cascade)', async () => {
    const ws = await createWorkspace(owner)
    const colleague = await signUp(h, 'Colleague')
    await addMember(h, ws.id, colleague.user!.id, 'member')
    await colleague.post('/api/auth/organization/set-active', { organizationId: ws.id })
    const inv = await owner.post('/api/auth/organization/invite-member', {
      organizationId: ws.id,
      email: uniqueEmail('orphan'),
      role: 'viewer',
    })
    expect(inv.status).toBe(200)
    expect((await snapshot(h, ws.id)).members).toHaveLength(2)
    expect(await h.db.select().from(mailOutbox).where(eq(mailOutbox.workspaceId, ws.id))).toHaveLength(1)

    const res = await owner.post('/api/auth/organization/delete', { organizationId: ws.id })
    expect(res.status).toBe(200)

    expect(await workspaceRow(h, ws.id)).toBeNull()
    expect(await h.db.select().from(member).where(eq(member.workspaceId, ws.id))).toEqual([])
    expect(await h.db.select().from(invitation).where(eq(invitation.workspaceId, ws.id))).toEqual([])
    expect(await h.db.select().from(mailOutbox).where(eq(mailOutbox.workspaceId, ws.id))).toEqual([])
    expect(await h.db.select().from(workspace).where(eq(workspace.id, ws.id))).toEqual([])

    // A colleague whose session still points at it gets nothing from it.
    const [stale] = await h.db.select().from(session).where(eq(session.userId, colleague.user!.id))
    expect(stale.activeWorkspaceId).toBe(ws.id)
    expect((await colleague.get('/api/auth/organization/get-full-organization')).status).toBe(404)
    expect((await colleague.get('/api/workspaces')).body.workspaces.map((w: { id: string }) => w.id)).not.toContain(
      ws.id,
    )
    // The invitation link is dead too.
    expect((await h.fetchApi(`/api/invitations/${inv.body.id}`)).status).toBe(404)
  })
})
