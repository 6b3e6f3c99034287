import { useEffect, useState } from 'react'
import { z } from 'zod'
import { isPlanId, PLANS, type PlanId } from '../../shared/plans'

/** Search params of the billing page: Stripe Checkout sends the buyer back with `?checkout=…`. */
export const billingSearch = z.object({
  checkout: z.enum(['success', 'cancelled']).optional().catch(undefined),
})
export type BillingSearch = z.output<typeof billingSearch>

// Session storage, not the URL: Stripe's return address is fixed by the
// server, and this only has to survive the round trip through Checkout.
const storageKey = (workspaceId: string) => `billing-checkout:${workspaceId}`

/** Remembers which plan is being bought, so the return knows what to wait for. */
export function rememberCheckout(workspaceId: string, plan: PlanId) {
  try {
    sessionStorage.setItem(storageKey(workspaceId), plan)
  } catch {
    // Storage disabled: the return falls back to waiting for any plan change.
  }
}

function recalledCheckout(workspaceId: string): PlanId | null {
  try {
    const plan = sessionStorage.getItem(storageKey(workspaceId))
    return isPlanId(plan) ? plan : null
  } catch {
    return null
  }
}

function forgetCheckout(workspaceId: string) {
  try {
    sessionStorage.removeItem(storageKey(workspaceId))
  } catch {
    // Nothing stored, nothing to forget.
  }
}

export type CheckoutReturn =
  { state: 'waiting' } | { state: 'done'; plan: PlanId } | { state: 'cancelled' } | { state: 'none' }

/**
 * After Checkout, the plan changes only once Stripe's webhook reaches the
 * server, which can take a few seconds: until the plan the page shows is the
 * one bought (or, if that is unknown, until it is a paid one), the buyer is
 * told it is on its way. Then `onSettled` drops the search param, so a reload does
 * not wait again.
 */
export function useCheckoutReturn(
  workspaceId: string,
  checkout: BillingSearch['checkout'],
  plan: PlanId | undefined,
  onSettled: () => void,
): CheckoutReturn {
  const [baseline, setBaseline] = useState<{ firstSeen: PlanId; bought: PlanId | null } | null>(null)
  const [done, setDone] = useState<PlanId | null>(null)
  // Set while rendering, not in an effect: the first answer decides what
  // "changed" means, before anything is shown.
  if (checkout === 'success' && plan && !baseline) {
    setBaseline({ firstSeen: plan, bought: recalledCheckout(workspaceId) })
  }
  const arrived =
    checkout === 'success' &&
    plan !== undefined &&
    baseline !== null &&
    (baseline.bought
      ? plan === baseline.bought
      : // Not knowing what was bought (another tab), a paid plan on arrival means the webhook was first.
        plan !== baseline.firstSeen || PLANS[baseline.firstSeen].paid)
  if (arrived && done !== plan) setDone(plan)

  useEffect(() => {
    if (arrived || checkout === 'cancelled') forgetCheckout(workspaceId)
    if (arrived) onSettled()
  }, [arrived, checkout, workspaceId, onSettled])

  if (done) return { state: 'done', plan: done }
  if (checkout === 'cancelled') return { state: 'cancelled' }
  if (checkout === 'success') return { state: 'waiting' }
  return { state: 'none' }
}
