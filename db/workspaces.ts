import { randomUUID } from 'node:crypto'
import { and, asc, desc, eq, sql } from 'drizzle-orm'
import { AppError, notFound } from '../shared/errors'
import { planFor } from '../shared/plans'
import { PERSONAL_SLUG_PREFIX } from '../shared/schemas/workspace'
import { isWorkspaceRole, type WorkspaceRole } from '../shared/roles'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { member, session, workspace } from './schema'

export interface WorkspaceSummary {
  id: string
  name: string
  slug: string
  isPersonal: boolean
  plan: string
  role: WorkspaceRole
}

/** The user's workspaces with their role: personal first, then by name. */
export async function listMyWorkspaces(db: Db, userId: string): Promise<WorkspaceSummary[]> {
  const rows = await db
    .select({
      id: workspace.id,
      name: workspace.name,
      slug: workspace.slug,
      isPersonal: workspace.isPersonal,
      plan: workspace.plan,
      role: member.role,
    })
    .from(member)
    .innerJoin(workspace, eq(workspace.id, member.workspaceId))
    .where(eq(member.userId, userId))
    .orderBy(desc(workspace.isPersonal), asc(sql`lower(${workspace.name})`), asc(workspace.slug))
  return rows.flatMap((r) => (isWorkspaceRole(r.role) ? [{ ...r, role: r.role }] : []))
}

/** A workspace the user belongs to, by slug; NOT_FOUND alike for missing and foreign ones. */
export async function requireWorkspaceBySlug(db: Db, userId: string, slug: string) {
  const [row] = await db.select({ id: workspace.id }).from(workspace).where(eq(workspace.slug, slug)).limit(1)
  if (!row) throw notFound()
  const access = await requireWorkspaceAccess(db, userId, row.id)
  const ws = await getWorkspace(db, row.id)
  if (!ws) throw notFound()
  return { workspace: ws, access }
}

export async function getWorkspace(db: Db, workspaceId: string) {
  const [found] = await db.select().from(workspace).where(eq(workspace.id, workspaceId)).limit(1)
  if (!found) return null
  // Stripe's ids and state stay server-side: the billing page has its own, checked, view (db/billing.ts).
  const {
    stripeCustomerId: _customer,
    stripeSubscriptionId: _subscription,
    billingPlan: _billingPlan,
    billingStatus: _billingStatus,
    currentPeriodEnd: _periodEnd,
    cancelAtPeriodEnd: _cancel,
    pastDueSince: _pastDue,
    includedUsageMicros: _included,
    billedSeats: _seats,
    ...row
  } = found
  const [{ count }] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(member)
    .where(eq(member.workspaceId, workspaceId))
  return { ...row, memberCount: count, limits: planFor(row.plan).limits }
}

export async function getPersonalWorkspace(db: Db, userId: string) {
  const [row] = await db
    .select()
    .from(workspace)
    .where(and(eq(workspace.ownerId, userId), eq(workspace.isPersonal, true)))
    .limit(1)
  return row ?? null
}

/**
 * Creates the user's personal workspace (owner membership included) and
 * makes it the active workspace of their existing sessions. Idempotent: the
 * unique index on (owner_id) where is_personal keeps it to one.
 */
export async function ensurePersonalWorkspace(db: Db, u: { id: string; name: string }) {
  let ws: typeof workspace.$inferSelect | null = await getPersonalWorkspace(db, u.id)
  // A slug collision (48 random bits) is retried with a new id; a conflict on
  // the one-personal-per-owner index means a concurrent call already made it.
  for (let attempt = 0; !ws && attempt < 5; attempt++) {
    ws = await db.transaction(async (tx) => {
      const id = randomUUID()
      const [created] = await tx
        .insert(workspace)
        .values({
          id,
          name: `${u.name.trim() || 'My'}'s workspace`.slice(0, 80),
          slug: `${PERSONAL_SLUG_PREFIX}${id.replace(/-/g, '').slice(0, 12)}`,
          isPersonal: true,
          ownerId: u.id,
          plan: 'free',
        })
        .onConflictDoNothing()
        .returning()
      if (!created) return null
      await tx.insert(member).values({ id: randomUUID(), workspaceId: id, userId: u.id, role: 'owner' })
      return created
    })
    ws ??= await getPersonalWorkspace(db, u.id)
  }
  if (!ws) throw new AppError('INTERNAL', 'Personal workspace could not be created')
  await db
    .update(session)
    .set({ activeWorkspaceId: ws.id })
    .where(and(eq(session.userId, u.id), sql`${session.activeWorkspaceId} is null`))
  return ws
}

/**
 * Hands ownership to another member in one transaction: the new owner is
 * promoted and the old one becomes admin, so there is always exactly one owner.
 */
export async function transferOwnership(db: Db, actorUserId: string, workspaceId: string, targetMemberId: string) {
  return db.transaction(async (tx) => {
    // Lock the workspace row so concurrent transfers run one after another.
    const [ws] = await tx.select().from(workspace).where(eq(workspace.id, workspaceId)).for('update').limit(1)
    const access = await requireWorkspaceAccess(tx, actorUserId, workspaceId, 'workspace:transfer')
    if (!ws) throw notFound()
    if (ws.isPersonal) throw new AppError('FORBIDDEN', 'A personal workspace cannot change owner')
    const [target] = await tx
      .select()
      .from(member)
      .where(and(eq(member.id, targetMemberId), eq(member.workspaceId, workspaceId)))
      .limit(1)
    if (!target) throw notFound('Member')
    if (target.id === access.memberId)
      throw new AppError('BAD_REQUEST', 'You already own this workspace', { memberId: 'Already the owner' })
    await tx.update(member).set({ role: 'admin' }).where(eq(member.id, access.memberId))
    await tx.update(member).set({ role: 'owner' }).where(eq(member.id, target.id))
    await tx
      .update(workspace)
      .set({ ownerId: target.userId, updatedAt: new Date() })
      .where(eq(workspace.id, workspaceId))
    return { workspaceId, ownerMemberId: target.id, ownerUserId: target.userId, previousOwnerMemberId: access.memberId }
  })
}
