import { DISPLAY_CURRENCY, formatMicros, MICROS_PER_UNIT } from '../../shared/money'
import { PLAN_IDS, PLANS, type PlanId } from '../../shared/plans'
import type { BillingOverview } from '../../shared/schemas/billing'

// One fixed locale and UTC, as on the usage page, so a date reads the same
// in every browser and on the server.
const longDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' })

/** An ISO instant's UTC day, e.g. "Nov 3, 2026". */
export const showDay = (iso: string) => longDay.format(new Date(iso))

/** A range whose `to` is exclusive, shown with its last day. */
export const showRange = (from: string, to: string) =>
  `${showDay(from)} – ${showDay(new Date(Date.parse(to) - 1).toISOString())}`

const wholeUnits = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: DISPLAY_CURRENCY,
  maximumFractionDigits: 0,
})

/** A price list's cents as money, without zero cents so a plan table stays narrow: 2000 -> "$20", 120 -> "$1.20". */
export const formatCents = (cents: number) =>
  cents % 100 === 0 ? wholeUnits.format(cents / 100) : formatMicros((cents * MICROS_PER_UNIT) / 100)

/** "on Nov 3, 2026", or nothing when the server did not send the date. */
const onDay = (iso: string | null) => (iso ? ` on ${showDay(iso)}` : '')

/**
 * The paid plan Stripe still bills for, if any. A failed payment keeps the
 * subscription (fixed in the portal, not by buying another one); a cancelled
 * or never-completed one leaves nothing to manage but a new checkout.
 */
export function billedPlan(o: BillingOverview): PlanId | null {
  const live = o.status === 'active' || o.status === 'trialing' || o.status === 'past_due' || o.status === 'unpaid'
  return live ? o.subscribedPlan : null
}

/** Stripe knows this workspace as a customer, so the portal has something to show. */
export const hasStripeCustomer = (o: BillingOverview) => o.subscribedPlan !== null || o.status !== 'none'

/** "Upgrade" only when the plan is bigger than the one the workspace is on now. */
export function changeVerb(from: PlanId, to: PlanId): 'Upgrade' | 'Switch' {
  return PLAN_IDS.indexOf(to) > PLAN_IDS.indexOf(from) ? 'Upgrade' : 'Switch'
}

/** The subscription's state in plain words, with the dates that matter to the reader. */
export function statusText(o: BillingOverview): string {
  const subscribed = o.subscribedPlan ? PLANS[o.subscribedPlan].label : null
  const free = PLANS.free.label
  switch (o.status) {
    case 'none':
      return `No subscription. The ${PLANS[o.plan].label} plan’s limits apply.`
    case 'incomplete':
      return `Checkout not finished: the first payment has not gone through yet. The ${free} plan’s limits apply until it does.`
    case 'trialing':
      return o.cancelAtPeriodEnd
        ? `Trial, cancelled: ${subscribed ?? 'the plan'} ends${onDay(o.currentPeriodEnd)}, then the workspace moves to ${free}.`
        : `Trial${o.currentPeriodEnd ? ` until ${showDay(o.currentPeriodEnd)}` : ''}.`
    case 'active':
      return o.cancelAtPeriodEnd
        ? `Cancelled: ${subscribed ?? 'the plan'} stays until the end of the period${onDay(o.currentPeriodEnd)}, then the workspace moves to ${free}.`
        : `Active${o.currentPeriodEnd ? `, renews on ${showDay(o.currentPeriodEnd)}` : ''}.`
    case 'past_due':
      return `Payment failed. ${pastDueText(o)}`
    case 'unpaid':
      return `Unpaid: payments failed and the grace period is over. The ${free} plan’s limits apply until the payment goes through.`
    case 'canceled':
      return `Subscription ended. The workspace is on the ${free} plan.`
  }
}

/** After a failed payment, what happens when: the paid limits last through the grace period, then fall back to free. */
export function pastDueText(o: BillingOverview): string {
  const free = PLANS.free.label
  const graceOver = o.graceEndsAt !== null && Date.parse(o.graceEndsAt) <= Date.now()
  if (o.plan === 'free' || graceOver) {
    return `Past due${o.pastDueSince ? ` since ${showDay(o.pastDueSince)}` : ''}. The grace period is over, so the ${free} plan’s limits apply until the payment goes through.`
  }
  return o.graceEndsAt
    ? `Past due: the ${PLANS[o.plan].label} plan stays until ${showDay(o.graceEndsAt)}; after that, access falls back to ${free} unless the payment goes through.`
    : `Past due: access falls back to ${free} at the end of the grace period unless the payment goes through.`
}
