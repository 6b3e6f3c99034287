import { planFor } from '../../shared/plans'
import { slugify, workspaceSlug } from '../../shared/schemas/workspace'
import type { LegacyRole } from './legacy-rows'
import { derivedId, invitationId, roomSafeId } from './ids'
import { normalEmail, type UserPlan } from './plan-users'
import type { Skipped } from './report'
import type { LegacySnapshot } from './source'

export type TeamRole = 'owner' | 'admin' | 'member'

export interface MemberPlan {
  id: string
  userId: string
  role: TeamRole
  createdAt: Date
  defaultModel: string | null
}

export interface InvitationPlan {
  id: string
  email: string
  role: 'admin' | 'member'
  expiresAt: Date
  createdAt: Date
}

export interface TeamPlan {
  legacyId: string
  workspaceId: string
  name: string
  /** The slug wanted; the writer adds a suffix fixed per team when another workspace holds it. */
  slug: string
  ownerId: string
  createdAt: Date
  updatedAt: Date
  /** better-auth's free-form organization metadata: where the team came from and its avatar. */
  metadata: string
  members: MemberPlan[]
  invitations: InvitationPlan[]
}

export interface TeamsPlan {
  teams: TeamPlan[]
  skipped: Skipped[]
  notes: string[]
}

/**
 * A slug from the team's name, the same on every run: `slugify` pads a slug
 * shorter than three characters with random letters, so such names get
 * "team" added first. A slug nobody may choose (reserved, or under the
 * personal prefix) is put under "team-".
 */
export function teamSlug(name: string): string {
  const letters =
    name
      .normalize('NFKD')
      .toLowerCase()
      .match(/[a-z0-9]/g)?.length ?? 0
  const base = slugify(letters >= 3 ? name : `${name} team`)
  return workspaceSlug.safeParse(base).success ? base : `team-${base}`.slice(0, 48).replace(/-+$/, '')
}

const byNewest = (a: { created_at: Date; id: string }, b: { created_at: Date; id: string }) =>
  b.created_at.getTime() - a.created_at.getTime() || (a.id < b.id ? 1 : -1)

/**
 * Teams become workspaces with their members and their pending invitations.
 * A workspace has exactly one owner (the app relies on it): the team's
 * owner_id, added if the member rows lack it; other legacy owners become
 * admins. Invitations already answered or expired, to someone already a
 * member, or older than another pending one to the same address are left.
 */
export function planTeams(
  legacy: Pick<LegacySnapshot, 'teams' | 'members' | 'invites'>,
  users: Map<string, UserPlan>,
  now: Date,
): TeamsPlan {
  const skipped: Skipped[] = []
  const notes: string[] = []
  const freeMembers = planFor('free').limits.members
  const freeInvites = planFor('free').limits.pendingInvitations
  const demoted: string[] = []
  let limitDropped = 0
  const teams: TeamPlan[] = []
  const emailOf = new Map([...users.values()].map((u) => [u.targetId, u.email]))
  for (const team of legacy.teams) {
    const rows = legacy.members.filter((m) => m.team_id === team.id)
    const importable = rows.filter((m) => {
      if (users.has(m.user_id)) return true
      skipped.push({ table: 'team_member', id: `${team.id}/${m.user_id}`, reason: 'its user was not imported' })
      return false
    })
    // The owner: owner_id, else (their account skipped) the longest-standing owner, admin, member.
    const rank: Record<LegacyRole, number> = { owner: 0, admin: 1, member: 2 }
    const ownerLegacyId = users.has(team.owner_id)
      ? team.owner_id
      : [...importable].sort((a, b) => rank[a.role] - rank[b.role])[0]?.user_id
    if (!ownerLegacyId) {
      skipped.push({ table: 'team', id: team.id, reason: 'neither its owner nor any member was imported' })
      continue
    }
    if (ownerLegacyId !== team.owner_id)
      notes.push(`team ${team.id}: its owner was not imported; ${ownerLegacyId} owns the workspace instead`)
    const workspaceId = roomSafeId('team', team.id)
    const members = new Map<string, MemberPlan>()
    const owner = users.get(ownerLegacyId)!
    const ownerRow = importable.find((m) => m.user_id === ownerLegacyId)
    members.set(owner.targetId, {
      id: derivedId('member', team.id, ownerLegacyId),
      userId: owner.targetId,
      role: 'owner',
      createdAt: ownerRow?.joined_at ?? team.created_at,
      defaultModel: owner.defaultModel,
    })
    for (const m of importable) {
      const u = users.get(m.user_id)!
      if (members.has(u.targetId)) continue
      if (m.role === 'owner') demoted.push(`${team.id}/${m.user_id}`)
      members.set(u.targetId, {
        id: derivedId('member', team.id, m.user_id),
        userId: u.targetId,
        role: m.role === 'member' ? 'member' : 'admin',
        createdAt: m.joined_at,
        defaultModel: u.defaultModel,
      })
    }
    if (members.size > freeMembers)
      notes.push(`team ${team.id}: ${members.size} members, over the free plan's ${freeMembers}; all kept`)
    if (team.member_limit !== null) limitDropped++

    const memberEmails = new Set([...members.values()].map((m) => emailOf.get(m.userId)))
    const invitations: InvitationPlan[] = []
    const invited = new Set<string>()
    for (const inv of legacy.invites.filter((i) => i.team_id === team.id).sort(byNewest)) {
      const skip = (reason: string) => skipped.push({ table: 'team_invite', id: inv.id, reason })
      const email = normalEmail(inv.email)
      if (inv.accepted_at) skip('accepted')
      else if (inv.rejected_at) skip('rejected')
      else if (inv.expires_at <= now) skip('expired')
      else if (memberEmails.has(email)) skip('already a member')
      else if (invited.has(email)) skip('a newer pending invitation to the same email exists')
      else {
        invited.add(email)
        invitations.push({
          id: invitationId(inv.token),
          email,
          role: inv.role === 'member' ? 'member' : 'admin',
          expiresAt: inv.expires_at,
          createdAt: inv.created_at,
        })
      }
    }
    if (invitations.length > freeInvites)
      notes.push(
        `team ${team.id}: ${invitations.length} pending invitations, over the free plan's ${freeInvites}; all kept`,
      )

    const name = team.name.trim().slice(0, 80) || 'Team'
    teams.push({
      legacyId: team.id,
      workspaceId,
      name,
      slug: teamSlug(name),
      ownerId: owner.targetId,
      createdAt: team.created_at,
      updatedAt: team.updated_at,
      metadata: JSON.stringify({ legacyTeamId: team.id, avatar: team.avatar ?? null }),
      members: [...members.values()],
      invitations: invitations.reverse(),
    })
  }
  if (demoted.length)
    notes.push(
      `${demoted.length} legacy owners beside a team's owner imported as admins, one owner per workspace (${demoted.join(', ')})`,
    )
  if (limitDropped) notes.push(`member_limit of ${limitDropped} teams dropped: the plan sets the limit here`)
  return { teams, skipped, notes }
}
