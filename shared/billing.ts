import { PLANS, type PlanId } from './plans'

/**
 * A workspace's subscription as Stripe last told us, and the plan whose
 * limits apply because of it. Postgres keeps the state; this decides what it
 * means, in one place, for the server and the billing page alike.
 */
export const BILLING_STATUSES = ['none', 'incomplete', 'trialing', 'active', 'past_due', 'unpaid', 'canceled'] as const
export type BillingStatus = (typeof BILLING_STATUSES)[number]

export function isBillingStatus(value: unknown): value is BillingStatus {
  return typeof value === 'string' && (BILLING_STATUSES as readonly string[]).includes(value)
}

/** A subscription Stripe is still billing: a new checkout would make a second one. */
export const LIVE_BILLING_STATUSES: readonly BillingStatus[] = ['active', 'trialing', 'past_due']

export function isLiveSubscription(status: BillingStatus): boolean {
  return LIVE_BILLING_STATUSES.includes(status)
}

/** How long a workspace whose payment failed keeps its paid limits. */
export const PAST_DUE_GRACE_MS = 7 * 24 * 60 * 60 * 1000

export interface BillingState {
  /** The paid plan subscribed to, or null when there is no subscription. */
  subscribedPlan: PlanId | null
  status: BillingStatus
  /** When Stripe first reported the subscription past due (cleared once paid). */
  pastDueSince: Date | null
}

/**
 * The plan whose limits apply now. Active and trialing subscriptions give
 * their plan; a cancellation at period end stays active until Stripe ends
 * it, so access lasts to the end of what was paid. A failed payment keeps
 * the plan through the grace period, then falls back to free. Nothing is
 * deleted when limits shrink: the excess becomes read-only.
 */
export function effectivePlan(state: BillingState, now: Date = new Date()): PlanId {
  const plan = state.subscribedPlan
  if (!plan || !PLANS[plan]?.paid) return 'free'
  if (state.status === 'active' || state.status === 'trialing') return plan
  if (state.status === 'past_due') {
    const since = state.pastDueSince?.getTime() ?? now.getTime()
    return now.getTime() < since + PAST_DUE_GRACE_MS ? plan : 'free'
  }
  return 'free'
}

/** When a past-due workspace falls back to free limits; null when it is not past due. */
export function graceEndsAt(state: BillingState): Date | null {
  if (state.status !== 'past_due' || !state.pastDueSince) return null
  return new Date(state.pastDueSince.getTime() + PAST_DUE_GRACE_MS)
}

/**
 * The part of a usage event beyond the plan's included usage, given what
 * was spent in the period before it: what the Stripe meter is told.
 */
export function overageMicros(spentBefore: number, cost: number, includedMicros: number): number {
  return Math.max(0, Math.min(cost, spentBefore + cost - includedMicros))
}
