import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { workspaceSlug } from '../../shared/schemas/workspace'
import type { Db } from '../client'
import { account, invitation, member, user, workspace } from '../schema'
import { ensurePersonalWorkspace, getPersonalWorkspace } from '../workspaces'
import { slugSuffix } from './ids'
import { normalEmail, type AccountPlan, type TargetUser, type UserPlan } from './plan-users'
import type { TeamPlan } from './plan-teams'
import type { ImportCounts } from './report'

const BATCH = 500

function* batches<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += BATCH) yield items.slice(i, i + BATCH)
}

/** Target users the legacy ones may meet: same id (an earlier run) or same email. */
export async function findTargetUsers(db: Db, ids: string[], emails: string[]): Promise<TargetUser[]> {
  const found = new Map<string, TargetUser>()
  for (const part of batches(ids)) {
    for (const u of await db
      .select({ id: user.id, email: user.email, emailVerified: user.emailVerified })
      .from(user)
      .where(inArray(user.id, part)))
      found.set(u.id, u)
  }
  for (const part of batches(emails.map(normalEmail))) {
    for (const u of await db
      .select({ id: user.id, email: user.email, emailVerified: user.emailVerified })
      .from(user)
      .where(inArray(sql`lower(${user.email})`, part)))
      found.set(u.id, u)
  }
  return [...found.values()]
}

/** Users and their sign-in accounts; rows already here are left as they are. */
export async function writeUsers(db: Db, users: UserPlan[], accounts: AccountPlan[], changed: ImportCounts) {
  const fresh = users.filter((u) => !u.matched)
  for (const part of batches(fresh)) {
    const rows = await db
      .insert(user)
      .values(
        part.map((u) => ({
          id: u.targetId,
          name: u.name,
          email: u.email,
          emailVerified: u.emailVerified,
          image: u.image,
          createdAt: u.createdAt,
          updatedAt: u.updatedAt,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: user.id })
    changed.users += rows.length
  }
  for (const part of batches(accounts)) {
    const rows = await db.insert(account).values(part).onConflictDoNothing().returning({ id: account.id })
    changed.accounts += rows.length
  }
}

/**
 * Every imported person's personal workspace, by target user id. For people
 * the import created, their preferred model becomes their default there.
 */
export async function writePersonalWorkspaces(
  db: Db,
  users: UserPlan[],
  changed: ImportCounts,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>()
  for (const u of users) {
    const before = await getPersonalWorkspace(db, u.targetId)
    const ws = before ?? (await ensurePersonalWorkspace(db, { id: u.targetId, name: u.name }))
    if (!before) changed.personalWorkspaces++
    ids.set(u.targetId, ws.id)
    if (!u.matched && u.defaultModel) {
      await db
        .update(member)
        .set({ defaultModel: u.defaultModel })
        .where(and(eq(member.workspaceId, ws.id), eq(member.userId, u.targetId), isNull(member.defaultModel)))
    }
  }
  return ids
}

/** A slug no other workspace holds: the wanted one, else with a suffix fixed per team. */
async function freeSlug(db: Db, team: TeamPlan): Promise<string> {
  const candidates = [
    team.slug,
    ...[6, 12, 24].map((n) => `${team.slug.slice(0, 47 - n)}-${slugSuffix(team.legacyId, n)}`),
  ]
  for (const slug of candidates) {
    if (!workspaceSlug.safeParse(slug).success) continue
    const [taken] = await db.select({ id: workspace.id }).from(workspace).where(eq(workspace.slug, slug)).limit(1)
    if (!taken) return slug
  }
  throw new Error(`No free slug for team ${team.legacyId}`)
}

/**
 * One team in one transaction: its workspace (kept as it is when an earlier
 * run made it), its members and its pending invitations. Rows already here
 * are left alone: people may have changed them since.
 */
export async function writeTeam(db: Db, team: TeamPlan, changed: ImportCounts) {
  await db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: workspace.id }).from(workspace).where(eq(workspace.id, team.workspaceId))
    if (!existing) {
      await tx.insert(workspace).values({
        id: team.workspaceId,
        name: team.name,
        slug: await freeSlug(tx, team),
        metadata: team.metadata,
        isPersonal: false,
        ownerId: team.ownerId,
        plan: 'free',
        createdAt: team.createdAt,
        updatedAt: team.updatedAt,
      })
      changed.workspaces++
    }
    const members = await tx
      .insert(member)
      .values(team.members.map((m) => ({ ...m, workspaceId: team.workspaceId })))
      .onConflictDoNothing()
      .returning({ id: member.id })
    changed.members += members.length
    if (team.invitations.length) {
      const invitations = await tx
        .insert(invitation)
        .values(
          team.invitations.map((i) => ({
            ...i,
            workspaceId: team.workspaceId,
            status: 'pending',
            inviterId: team.ownerId,
          })),
        )
        .onConflictDoNothing()
        .returning({ id: invitation.id })
      changed.invitations += invitations.length
    }
  })
}
