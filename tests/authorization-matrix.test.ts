import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CAPABILITIES, can, type Capability } from '../shared/capabilities'
import { refuseInvitationRole, refuseRemoval, refuseRoleChange } from '../shared/member-policy'
import { WORKSPACE_ROLES, type WorkspaceRole } from '../shared/roles'
import { createHarness, signUp, type ApiResult, type Harness, type TestClient } from './helpers/harness'
import {
  addInvitation,
  addMember,
  createWorkspace,
  ghostId,
  setPlan,
  snapshot,
  uniqueEmail,
  uniqueSlug,
} from './helpers/fixtures'

/**
 * The whole role × action matrix over HTTP. Each row runs against a fresh
 * workspace holding one member of every role (two of admin, member and
 * viewer, so "another member of my own role" exists) and one pending
 * invitation. Allowed actions must take effect; refused ones must leave the
 * workspace exactly as it was; a non-member must get the very answer a
 * nonexistent workspace gets.
 */

type Actor = WorkspaceRole | 'non-member'
type Outcome = 'ok' | 'forbidden' | 'not-found' | 'invalid'
const STATUS: Record<Outcome, number> = { ok: 200, forbidden: 403, 'not-found': 404, invalid: 400 }
const ACTORS: Actor[] = ['owner', 'admin', 'member', 'viewer', 'non-member']

type Seat = 'owner' | 'admin' | 'admin2' | 'member' | 'member2' | 'viewer' | 'viewer2'
const SEAT_ROLES: Record<Seat, WorkspaceRole> = {
  owner: 'owner',
  admin: 'admin',
  admin2: 'admin',
  member: 'member',
  member2: 'member',
  viewer: 'viewer',
  viewer2: 'viewer',
}

interface World {
  id: string
  slug: string
  memberIds: Record<Seat, string>
  userIds: Record<Seat, string>
  invitationId: string
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>

interface Action {
  name: string
  /** Expected outcome for owner, admin, member, viewer, non-member. */
  expect: [Outcome, Outcome, Outcome, Outcome, Outcome]
  run: (client: TestClient, w: World, actor: Actor) => Promise<ApiResult>
  /** What an allowed call must have changed (or, for reads, returned). */
  verify: (w: World, before: Snapshot, after: Snapshot, res: ApiResult, actor: Actor) => void
}

/** "Another member with role R": the second seat of that role when the actor holds it. */
function targetSeat(actor: Actor, role: WorkspaceRole): Seat {
  if (role === 'owner') return 'owner'
  return actor === role ? (`${role}2` as Seat) : role
}

const unchanged = (_w: World, before: Snapshot, after: Snapshot) => expect(after).toEqual(before)

function roleOf(s: Snapshot, memberId: string) {
  return s.members.find((m) => m.id === memberId)?.role
}

function changeRole(target: WorkspaceRole, next: WorkspaceRole, expected: Action['expect']): Action {
  return {
    name: `change a ${target}'s role to ${next}`,
    expect: expected,
    run: (c, w, actor) =>
      c.post('/api/auth/organization/update-member-role', {
        organizationId: w.id,
        memberId: w.memberIds[targetSeat(actor, target)],
        role: next,
      }),
    verify: (w, before, after, _res, actor) => {
      const id = w.memberIds[targetSeat(actor, target)]
      expect(roleOf(before, id)).toBe(target)
      expect(roleOf(after, id)).toBe(next)
      expect(after.members.filter((m) => m.role === 'owner')).toHaveLength(1)
    },
  }
}

function removeMember(target: WorkspaceRole, expected: Action['expect']): Action {
  return {
    name: `remove a ${target}`,
    expect: expected,
    run: (c, w, actor) =>
      c.post('/api/auth/organization/remove-member', {
        organizationId: w.id,
        memberIdOrEmail: w.memberIds[targetSeat(actor, target)],
      }),
    verify: (w, before, after, _res, actor) => {
      const id = w.memberIds[targetSeat(actor, target)]
      expect(before.members.some((m) => m.id === id)).toBe(true)
      expect(after.members.some((m) => m.id === id)).toBe(false)
      expect(after.members).toHaveLength(before.members.length - 1)
    },
  }
}

function invite(role: WorkspaceRole, expected: Action['expect']): Action {
  const email = uniqueEmail(`invitee-${role}`)
  return {
    name: `invite someone as ${role}`,
    expect: expected,
    run: (c, w) => c.post('/api/auth/organization/invite-member', { organizationId: w.id, email, role }),
    verify: (_w, before, after, res) => {
      expect(res.body.email).toBe(email)
      expect(after.invitations).toHaveLength(before.invitations.length + 1)
      expect(after.invitations.find((i) => i.id === res.body.id)).toMatchObject({ email, role, status: 'pending' })
    },
  }
}

// Columns: owner, admin, member, viewer, non-member.
const ACTIONS: Action[] = [
  {
    name: 'read the workspace (get-full-organization)',
    expect: ['ok', 'ok', 'ok', 'ok', 'not-found'],
    run: (c, w) => c.get(`/api/auth/organization/get-full-organization?organizationId=${w.id}`),
    verify: (w, before, after, res) => {
      expect(res.body.id).toBe(w.id)
      unchanged(w, before, after)
    },
  },
  {
    name: 'list members',
    expect: ['ok', 'ok', 'ok', 'ok', 'not-found'],
    run: (c, w) => c.get(`/api/auth/organization/list-members?organizationId=${w.id}`),
    verify: (w, before, after, res) => {
      expect(res.body.members.map((m: { id: string }) => m.id).sort()).toEqual(Object.values(w.memberIds).sort())
      unchanged(w, before, after)
    },
  },
  {
    name: 'rename the workspace',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) =>
      c.post('/api/auth/organization/update', { organizationId: w.id, data: { name: 'Renamed by matrix' } }),
    verify: (_w, before, after) => {
      expect(before.workspace!.name).not.toBe('Renamed by matrix')
      expect(after.workspace!.name).toBe('Renamed by matrix')
    },
  },
  {
    name: 'change the slug',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.post('/api/auth/organization/update', { organizationId: w.id, data: { slug: `${w.slug}-moved` } }),
    verify: (w, _before, after) => expect(after.workspace!.slug).toBe(`${w.slug}-moved`),
  },
  {
    name: 'delete the workspace',
    expect: ['ok', 'forbidden', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.post('/api/auth/organization/delete', { organizationId: w.id }),
    verify: (_w, before, after) => {
      expect(before.workspace).not.toBeNull()
      expect(after).toEqual({ workspace: null, members: [], invitations: [] })
    },
  },
  invite('admin', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  invite('member', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  invite('viewer', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  // Nobody is ever invited as owner: the input schema refuses the role before
  // any lookup, so a non-member gets the same 400 as for a missing workspace.
  invite('owner', ['invalid', 'invalid', 'invalid', 'invalid', 'invalid']),
  {
    name: 'cancel an invitation',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.post('/api/auth/organization/cancel-invitation', { invitationId: w.invitationId }),
    verify: (w, before, after) => {
      expect(before.invitations.find((i) => i.id === w.invitationId)?.status).toBe('pending')
      expect(after.invitations.find((i) => i.id === w.invitationId)?.status).toBe('canceled')
    },
  },
  {
    name: 'resend an invitation',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.post(`/api/workspaces/${w.id}/invitations/${w.invitationId}/resend`),
    verify: (w, before, after, res) => {
      const old = before.invitations.find((i) => i.id === w.invitationId)!
      expect(res.body.invitation.id).not.toBe(w.invitationId)
      expect(after.invitations.find((i) => i.id === w.invitationId)?.status).toBe('canceled')
      expect(after.invitations.find((i) => i.id === res.body.invitation.id)).toMatchObject({
        email: old.email,
        role: old.role,
        status: 'pending',
      })
    },
  },
  {
    name: 'list invitations (organization/list-invitations)',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.get(`/api/auth/organization/list-invitations?organizationId=${w.id}`),
    verify: (w, before, after, res) => {
      expect(res.body.map((i: { id: string }) => i.id)).toEqual([w.invitationId])
      unchanged(w, before, after)
    },
  },
  {
    name: 'list invitations (GET /api/workspaces/:id/invitations)',
    expect: ['ok', 'ok', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.get(`/api/workspaces/${w.id}/invitations`),
    verify: (w, before, after, res) => {
      expect(res.body.invitations.map((i: { id: string }) => i.id)).toEqual([w.invitationId])
      unchanged(w, before, after)
    },
  },
  {
    name: 'export the workspace (GET /api/workspaces/:id/export)',
    expect: ['ok', 'forbidden', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.get(`/api/workspaces/${w.id}/export`),
    verify: (w, before, after, res) => {
      expect(res.body.format).toBe('workspaces.workspace')
      expect(res.body.members).toHaveLength(Object.keys(w.memberIds).length)
      unchanged(w, before, after)
    },
  },
  changeRole('member', 'viewer', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  changeRole('viewer', 'member', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  changeRole('admin', 'member', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  changeRole('member', 'admin', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  // The owner's role changes only through a transfer, even for the owner.
  changeRole('owner', 'admin', ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'not-found']),
  // Nobody grants ownership through a role change, not even the owner.
  changeRole('member', 'owner', ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'not-found']),
  removeMember('member', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  removeMember('viewer', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  removeMember('admin', ['ok', 'ok', 'forbidden', 'forbidden', 'not-found']),
  removeMember('owner', ['forbidden', 'forbidden', 'forbidden', 'forbidden', 'not-found']),
  {
    name: 'transfer ownership',
    expect: ['ok', 'forbidden', 'forbidden', 'forbidden', 'not-found'],
    run: (c, w) => c.post(`/api/workspaces/${w.id}/transfer-ownership`, { memberId: w.memberIds.member2 }),
    verify: (w, _before, after) => {
      expect(roleOf(after, w.memberIds.member2)).toBe('owner')
      expect(roleOf(after, w.memberIds.owner)).toBe('admin')
      expect(after.members.filter((m) => m.role === 'owner')).toHaveLength(1)
      expect(after.workspace!.ownerId).toBe(w.userIds.member2)
    },
  },
]

const ROWS = ACTIONS.flatMap((action) =>
  ACTORS.map((actor, i) => ({ actor, action: action.name, expected: action.expect[i], def: action })),
)

let h: Harness
let clients: Record<Seat | 'outsider', TestClient>

beforeAll(async () => {
  h = await createHarness()
  const seats = [...(Object.keys(SEAT_ROLES) as Seat[]), 'outsider' as const]
  const signed = await Promise.all(seats.map((s) => signUp(h, s)))
  clients = Object.fromEntries(seats.map((s, i) => [s, signed[i]])) as typeof clients
})

afterAll(async () => {
  await h?.close()
})

async function buildWorld(): Promise<World> {
  const ws = await createWorkspace(clients.owner, { keepActive: true })
  // Team plan: the free plan's member limit would otherwise refuse invitations
  // for a reason that has nothing to do with roles.
  await setPlan(h, ws.id, 'team')
  const [ownerRow] = (await snapshot(h, ws.id)).members
  const memberIds = { owner: ownerRow.id } as Record<Seat, string>
  const userIds = { owner: clients.owner.user!.id } as Record<Seat, string>
  for (const seat of Object.keys(SEAT_ROLES) as Seat[]) {
    if (seat === 'owner') continue
    userIds[seat] = clients[seat].user!.id
    memberIds[seat] = await addMember(h, ws.id, userIds[seat], SEAT_ROLES[seat])
  }
  const invitationId = await addInvitation(h, ws.id, userIds.owner, uniqueEmail('pending'), 'member')
  return { id: ws.id, slug: ws.slug, memberIds, userIds, invitationId }
}

/** Same shape as a world, but every id points nowhere. */
function ghostWorld(): World {
  const ids = Object.fromEntries(Object.keys(SEAT_ROLES).map((s) => [s, ghostId()])) as Record<Seat, string>
  return { id: ghostId(), slug: uniqueSlug('ghost'), memberIds: ids, userIds: ids, invitationId: ghostId() }
}

function clientFor(actor: Actor): TestClient {
  return actor === 'non-member' ? clients.outsider : clients[actor]
}

describe('role × action matrix over HTTP', () => {
  test('every action has an expectation for every role', () => {
    expect(ROWS).toHaveLength(ACTIONS.length * ACTORS.length)
  })

  test.each(ROWS)('$actor: $action -> $expected', async ({ actor, expected, def }) => {
    const w = await buildWorld()
    const before = await snapshot(h, w.id)
    const res = await def.run(clientFor(actor), w, actor)
    expect({ status: res.status, body: res.body }).toMatchObject({ status: STATUS[expected] })
    const after = await snapshot(h, w.id)
    if (expected === 'ok') def.verify(w, before, after, res, actor)
    else expect(after).toEqual(before)
    if (actor === 'non-member') {
      // A non-member learns nothing: the answer is the one for a workspace that does not exist.
      const ghost = await def.run(clientFor(actor), ghostWorld(), actor)
      expect(res).toEqual(ghost)
    }
  })
})

// The policy tables, written out so that any change to the policy has to be
// made here too, on purpose.

// owner, admin, member, viewer
const CAN: Record<Capability, [0 | 1, 0 | 1, 0 | 1, 0 | 1]> = {
  'workspace:read': [1, 1, 1, 1],
  'workspace:update': [1, 1, 0, 0],
  'workspace:delete': [1, 0, 0, 0],
  'workspace:transfer': [1, 0, 0, 0],
  'workspace:billing': [1, 1, 0, 0],
  'workspace:export': [1, 0, 0, 0],
  'member:read': [1, 1, 1, 1],
  'member:update-role': [1, 1, 0, 0],
  'member:remove': [1, 1, 0, 0],
  'invitation:read': [1, 1, 0, 0],
  'invitation:create': [1, 1, 0, 0],
  'invitation:cancel': [1, 1, 0, 0],
  'content:read': [1, 1, 1, 1],
  'content:write': [1, 1, 1, 0],
  'content:manage': [1, 1, 0, 0],
  'budget:spend': [1, 1, 1, 0],
}

describe('can(role, capability)', () => {
  test('the expected table covers exactly the declared capabilities', () => {
    expect(Object.keys(CAN).sort()).toEqual([...CAPABILITIES].sort())
    expect(WORKSPACE_ROLES).toEqual(['owner', 'admin', 'member', 'viewer'])
  })

  const pairs = CAPABILITIES.flatMap((capability) =>
    WORKSPACE_ROLES.map((role, i) => ({ role, capability, allowed: CAN[capability][i] === 1 })),
  )
  test.each(pairs)('$role may $capability: $allowed', ({ role, capability, allowed }) => {
    expect(can(role, capability)).toBe(allowed)
  })
})

/** Every (actor, target, next) triple allowed to change a role; all others are refused. */
const ROLE_CHANGES_ALLOWED = new Set([
  'owner: admin -> admin',
  'owner: admin -> member',
  'owner: admin -> viewer',
  'owner: member -> admin',
  'owner: member -> member',
  'owner: member -> viewer',
  'owner: viewer -> admin',
  'owner: viewer -> member',
  'owner: viewer -> viewer',
  'admin: admin -> admin',
  'admin: admin -> member',
  'admin: admin -> viewer',
  'admin: member -> admin',
  'admin: member -> member',
  'admin: member -> viewer',
  'admin: viewer -> admin',
  'admin: viewer -> member',
  'admin: viewer -> viewer',
])

const REMOVALS_ALLOWED = new Set([
  'owner removes admin',
  'owner removes member',
  'owner removes viewer',
  'admin removes admin',
  'admin removes member',
  'admin removes viewer',
])

const INVITATIONS_ALLOWED = new Set([
  'owner invites admin',
  'owner invites member',
  'owner invites viewer',
  'admin invites admin',
  'admin invites member',
  'admin invites viewer',
])

describe('member policy', () => {
  const triples = WORKSPACE_ROLES.flatMap((actor) =>
    WORKSPACE_ROLES.flatMap((target) =>
      WORKSPACE_ROLES.map((next) => {
        const key = `${actor}: ${target} -> ${next}`
        return { key, actor, target, next, allowed: ROLE_CHANGES_ALLOWED.has(key) }
      }),
    ),
  )
  test.each(triples)('refuseRoleChange $key allowed: $allowed', ({ actor, target, next, allowed }) => {
    const reason = refuseRoleChange(actor, target, next)
    if (allowed) expect(reason).toBeNull()
    else expect(reason).toEqual(expect.any(String))
  })

  const removals = WORKSPACE_ROLES.flatMap((actor) =>
    WORKSPACE_ROLES.map((target) => {
      const key = `${actor} removes ${target}`
      return { key, actor, target, allowed: REMOVALS_ALLOWED.has(key) }
    }),
  )
  test.each(removals)('refuseRemoval: $key allowed: $allowed', ({ actor, target, allowed }) => {
    const reason = refuseRemoval(actor, target)
    if (allowed) expect(reason).toBeNull()
    else expect(reason).toEqual(expect.any(String))
  })

  const invitations = WORKSPACE_ROLES.flatMap((actor) =>
    WORKSPACE_ROLES.map((invited) => {
      const key = `${actor} invites ${invited}`
      return { key, actor, invited, allowed: INVITATIONS_ALLOWED.has(key) }
    }),
  )
  test.each(invitations)('refuseInvitationRole: $key allowed: $allowed', ({ actor, invited, allowed }) => {
    const reason = refuseInvitationRole(actor, invited)
    if (allowed) expect(reason).toBeNull()
    else expect(reason).toEqual(expect.any(String))
  })

  test('the allowed sets name only real roles', () => {
    const roles = new Set<string>(WORKSPACE_ROLES)
    for (const key of ROLE_CHANGES_ALLOWED) for (const r of key.split(/: | -> /)) expect(roles.has(r)).toBe(true)
    for (const key of [...REMOVALS_ALLOWED, ...INVITATIONS_ALLOWED])
      for (const r of key.split(/ removes | invites /)) expect(roles.has(r)).toBe(true)
  })
})
