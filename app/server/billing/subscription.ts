import type Stripe from 'stripe'
import type { SubscriptionSnapshot } from '../../../db/billing'
import { isBillingStatus, type BillingStatus } from '../../../shared/billing'
import type { PlanId } from '../../../shared/plans'
import type { BillingDeps } from './deps'

/** The paid plan a price id stands for, by this server's configuration. */
export function planForPrice(deps: Pick<BillingDeps, 'prices'>, priceId: string | undefined): PlanId | null {
  const found = Object.entries(deps.prices).find(([, id]) => id === priceId)
  return found ? (found[0] as PlanId) : null
}

/** The item carrying the plan's price (the other one, if any, is the metered overage). */
export function planItem(deps: Pick<BillingDeps, 'prices'>, sub: Stripe.Subscription) {
  return sub.items.data.find((item) => planForPrice(deps, item.price.id) !== null) ?? null
}

/** Stripe's statuses, folded into ours: `incomplete_expired` and `paused` mean no paid access. */
function statusOf(status: Stripe.Subscription.Status): BillingStatus {
  if (status === 'incomplete_expired') return 'canceled'
  if (status === 'paused') return 'unpaid'
  return isBillingStatus(status) ? status : 'none'
}

export function toSnapshot(deps: Pick<BillingDeps, 'prices'>, sub: Stripe.Subscription): SubscriptionSnapshot {
  const item = planItem(deps, sub)
  // API 2025+ keeps the period on each item, not on the subscription.
  const periodEnd = item?.current_period_end ?? sub.items.data[0]?.current_period_end
  return {
    id: sub.id,
    customerId: typeof sub.customer === 'string' ? sub.customer : sub.customer.id,
    status: statusOf(sub.status),
    plan: item ? planForPrice(deps, item.price.id) : null,
    currentPeriodEnd: periodEnd ? new Date(periodEnd * 1000) : null,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
  }
}
