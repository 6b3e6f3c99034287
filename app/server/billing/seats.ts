import { countMembers, readWorkspaceBilling, setBilledSeats, workspacesWithStaleSeats } from '../../../db/billing'
import { isLiveSubscription } from '../../../shared/billing'
import { PLAN_IDS, PLANS } from '../../../shared/plans'
import type { BillingDeps } from './deps'
import { planItem } from './subscription'

/**
 * Seat-priced plans bill one seat per member: after members join or leave
 * (and after a subscription changes), the subscription's quantity is set to
 * the member count. Idempotent: it reads Stripe's quantity and changes it
 * only when it differs. Stripe prorates the change.
 */
export async function syncSeats(deps: BillingDeps, workspaceId: string): Promise<{ seats: number } | null> {
  const billing = await readWorkspaceBilling(deps.db, workspaceId)
  const plan = billing.subscribedPlan
  if (!plan || PLANS[plan].price?.per !== 'seat' || !billing.stripeSubscriptionId) return null
  if (!isLiveSubscription(billing.status)) return null
  const members = await countMembers(deps.db, workspaceId)
  const subscription = await deps.stripe.subscriptions.retrieve(billing.stripeSubscriptionId)
  const item = planItem(deps, subscription)
  if (!item) return null
  if (item.quantity !== members) {
    await deps.stripe.subscriptionItems.update(
      item.id,
      { quantity: members, proration_behavior: 'create_prorations' },
      // Two workers reconciling together make one change.
      { idempotencyKey: `seats-${item.id}-${item.quantity ?? 0}-${members}` },
    )
  }
  await setBilledSeats(deps.db, workspaceId, members)
  return { seats: members }
}

const SEAT_PLANS = PLAN_IDS.filter((id) => PLANS[id].price?.per === 'seat')

/** Brings every seat-priced subscription to its member count; returns the workspaces changed. */
export async function reconcileSeats(deps: BillingDeps): Promise<string[]> {
  const stale = await workspacesWithStaleSeats(deps.db, SEAT_PLANS)
  for (const workspaceId of stale) await syncSeats(deps, workspaceId)
  return stale
}
