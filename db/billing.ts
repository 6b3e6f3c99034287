import { and, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import {
  effectivePlan,
  graceEndsAt,
  isBillingStatus,
  isLiveSubscription,
  LIVE_BILLING_STATUSES,
  PAST_DUE_GRACE_MS,
  type BillingStatus,
} from '../shared/billing'
import { notFound } from '../shared/errors'
import { isPlanId, PLANS, planFor, type PlanId } from '../shared/plans'
import type { BillingOverview } from '../shared/schemas/billing'
import { can } from '../shared/capabilities'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { member, stripeEvent, workspace } from './schema'
import { currentPeriod, spentMicros } from './usage'

/**
 * A workspace's subscription, kept in step with Stripe. Stripe is the
 * authority on the subscription; this module decides what it means here
 * (the plan whose limits apply) and records which events were applied.
 * Nothing here talks to Stripe: app/server/billing/ does, and passes in what
 * it read.
 */

/** A subscription as read from Stripe, reduced to what billing here needs. */
export interface SubscriptionSnapshot {
  id: string
  customerId: string
  status: BillingStatus
  /** The paid plan its price stands for; null for a price no plan uses. */
  plan: PlanId | null
  currentPeriodEnd: Date | null
  cancelAtPeriodEnd: boolean
}

export interface WorkspaceBilling {
  workspaceId: string
  slug: string
  name: string
  plan: PlanId
  stripeCustomerId: string | null
  stripeSubscriptionId: string | null
  subscribedPlan: PlanId | null
  status: BillingStatus
  currentPeriodEnd: Date | null
  cancelAtPeriodEnd: boolean
  pastDueSince: Date | null
}

const billingColumns = {
  workspaceId: workspace.id,
  slug: workspace.slug,
  name: workspace.name,
  plan: workspace.plan,
  stripeCustomerId: workspace.stripeCustomerId,
  stripeSubscriptionId: workspace.stripeSubscriptionId,
  subscribedPlan: workspace.billingPlan,
  status: workspace.billingStatus,
  currentPeriodEnd: workspace.currentPeriodEnd,
  cancelAtPeriodEnd: workspace.cancelAtPeriodEnd,
  pastDueSince: workspace.pastDueSince,
}

type BillingRow = Omit<WorkspaceBilling, 'plan' | 'subscribedPlan' | 'status'> & {
  plan: string
  subscribedPlan: string | null
  status: string
}

function toBilling(row: BillingRow): WorkspaceBilling {
  return {
    ...row,
    plan: planFor(row.plan).id,
    subscribedPlan: isPlanId(row.subscribedPlan) ? row.subscribedPlan : null,
    status: isBillingStatus(row.status) ? row.status : 'none',
  }
}

/** The workspace's billing state, or NOT_FOUND. For callers that have checked access. */
export async function readWorkspaceBilling(db: Db, workspaceId: string): Promise<WorkspaceBilling> {
  const [row] = await db.select(billingColumns).from(workspace).where(eq(workspace.id, workspaceId))
  if (!row) throw notFound()
  return toBilling(row)
}

/** The workspace a Stripe customer stands for, or null. */
export async function findWorkspaceByCustomer(db: Db, customerId: string): Promise<WorkspaceBilling | null> {
  const [row] = await db.select(billingColumns).from(workspace).where(eq(workspace.stripeCustomerId, customerId))
  return row ? toBilling(row) : null
}

/**
 * Records the Stripe customer created for a workspace. Two checkouts
 * racing both create one (Stripe's idempotency key usually makes it the
 * same); the first recorded wins and is returned.
 */
export async function setStripeCustomer(db: Db, workspaceId: string, customerId: string): Promise<string> {
  await db
    .update(workspace)
    .set({ stripeCustomerId: customerId })
    .where(and(eq(workspace.id, workspaceId), isNull(workspace.stripeCustomerId)))
  const { stripeCustomerId } = await readWorkspaceBilling(db, workspaceId)
  return stripeCustomerId ?? customerId
}

export type StripeEventResult = 'applied' | 'duplicate' | 'ignored'

/**
 * Applies one Stripe event, once: the event id is recorded in the same
 * transaction as the change, so a redelivery changes nothing. The caller
 * passes the subscription as Stripe holds it *now* (read when the event
 * arrived), not as the event carried it, so events arriving out of order
 * still leave the latest state. An event about a subscription the workspace
 * has moved past (an old one ending after a new one started) is recorded
 * and ignored.
 */
export async function applyStripeEvent(
  db: Db,
  event: { id: string; type: string },
  change: { workspaceId: string; subscription: SubscriptionSnapshot } | null,
  now: Date = new Date(),
): Promise<StripeEventResult> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(stripeEvent)
      .values({ id: event.id, type: event.type, workspaceId: change?.workspaceId ?? null })
      .onConflictDoNothing()
      .returning({ id: stripeEvent.id })
    if (inserted.length === 0) return 'duplicate'
    if (!change) return 'ignored'
    const [row] = await tx
      .select(billingColumns)
      .from(workspace)
      .where(eq(workspace.id, change.workspaceId))
      .for('no key update')
    if (!row) return 'ignored'
    const current = toBilling(row)
    const sub = change.subscription
    const isCurrent = !current.stripeSubscriptionId || current.stripeSubscriptionId === sub.id
    const supersedes = isLiveSubscription(sub.status) && !isLiveSubscription(current.status)
    if (!isCurrent && !supersedes) return 'ignored'
    const pastDueSince = sub.status === 'past_due' ? (current.pastDueSince ?? now) : null
    await tx
      .update(workspace)
      .set({
        stripeCustomerId: current.stripeCustomerId ?? sub.customerId,
        stripeSubscriptionId: sub.id,
        billingPlan: sub.plan,
        billingStatus: sub.status,
        currentPeriodEnd: sub.currentPeriodEnd,
        cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
        pastDueSince,
        ...planColumns(effectivePlan({ subscribedPlan: sub.plan, status: sub.status, pastDueSince }, now)),
        updatedAt: now,
      })
      .where(eq(workspace.id, change.workspaceId))
    return 'applied'
  })
}

function planColumns(plan: PlanId) {
  return { plan, includedUsageMicros: PLANS[plan].includedUsageMicros }
}

/**
 * Workspaces whose payment failed longer than the grace period ago fall
 * back to free limits. Run periodically (the billing worker); returns the
 * workspaces changed.
 */
export async function expireGracePeriods(db: Db, now: Date = new Date()): Promise<string[]> {
  const rows = await db
    .update(workspace)
    .set({ ...planColumns('free'), updatedAt: now })
    .where(
      and(
        eq(workspace.billingStatus, 'past_due'),
        lte(workspace.pastDueSince, new Date(now.getTime() - PAST_DUE_GRACE_MS)),
        sql`${workspace.plan} <> 'free'`,
      ),
    )
    .returning({ id: workspace.id })
  return rows.map((r) => r.id)
}

/**
 * Workspaces on a seat-priced plan whose subscription's seats differ from
 * their member count (members joined or left, by any path), for the billing
 * worker to bring in step.
 */
export async function workspacesWithStaleSeats(db: Db, seatPlans: readonly PlanId[]): Promise<string[]> {
  if (!seatPlans.length) return []
  const members = db.select({ n: count() }).from(member).where(eq(member.workspaceId, workspace.id))
  const rows = await db
    .select({ id: workspace.id })
    .from(workspace)
    .where(
      and(
        inArray(workspace.billingPlan, [...seatPlans]),
        inArray(workspace.billingStatus, [...LIVE_BILLING_STATUSES]),
        sql`${workspace.billedSeats} is distinct from (${members})`,
      ),
    )
  return rows.map((r) => r.id)
}

/** Records the seats the subscription now has. */
export async function setBilledSeats(db: Db, workspaceId: string, seats: number): Promise<void> {
  await db.update(workspace).set({ billedSeats: seats }).where(eq(workspace.id, workspaceId))
}

export async function countMembers(db: Db, workspaceId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(member).where(eq(member.workspaceId, workspaceId))
  return row?.n ?? 0
}

/** What the billing page shows: any member may read it; `canManage` says who may change it. */
export async function getBillingOverview(
  db: Db,
  actorId: string,
  workspaceId: string,
  opts: { configured: boolean; now?: Date },
): Promise<BillingOverview> {
  const access = await requireWorkspaceAccess(db, actorId, workspaceId)
  const now = opts.now ?? new Date()
  const period = currentPeriod(now)
  const [billing, spent, members] = await Promise.all([
    readWorkspaceBilling(db, workspaceId),
    spentMicros(db, workspaceId, period.from, period.to),
    countMembers(db, workspaceId),
  ])
  const plan = PLANS[billing.plan]
  return {
    configured: opts.configured,
    plan: plan.id,
    subscribedPlan: billing.subscribedPlan,
    status: billing.status,
    cancelAtPeriodEnd: billing.cancelAtPeriodEnd,
    currentPeriodEnd: billing.currentPeriodEnd?.toISOString() ?? null,
    pastDueSince: billing.pastDueSince?.toISOString() ?? null,
    graceEndsAt: graceEndsAt(billing)?.toISOString() ?? null,
    canManage: can(access.role, 'workspace:billing'),
    usage: {
      periodFrom: period.from.toISOString(),
      periodTo: period.to.toISOString(),
      spentMicros: spent,
      includedMicros: plan.includedUsageMicros,
      budgetMicros: plan.limits.monthlyBudgetMicros,
      overageMicros: plan.paid ? Math.max(0, spent - plan.includedUsageMicros) : 0,
    },
    members: { count: members, limit: plan.limits.members },
    overLimit: { members: members > plan.limits.members },
  }
}

/** Owners and admins only; everyone else gets FORBIDDEN (non-members NOT_FOUND). */
export async function requireBillingManager(db: Db, actorId: string, workspaceId: string) {
  return requireWorkspaceAccess(db, actorId, workspaceId, 'workspace:billing')
}
