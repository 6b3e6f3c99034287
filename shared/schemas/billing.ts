import { z } from 'zod'
import type { BillingStatus } from '../billing'
import { PAID_PLAN_IDS, type PlanId } from '../plans'

/** POST /api/workspaces/:id/billing/checkout */
export const checkoutInput = z.strictObject({
  plan: z.enum(PAID_PLAN_IDS as [PlanId, ...PlanId[]], { error: 'Choose a paid plan: pro or team' }),
})
export type CheckoutInput = z.output<typeof checkoutInput>

/** GET /api/workspaces/:id/billing: what the billing page shows. Any member may read it. */
export interface BillingOverview {
  /** False without STRIPE_SECRET_KEY: the page says billing is not configured and shows the limits. */
  configured: boolean
  /** The plan whose limits apply now (see effectivePlan). */
  plan: PlanId
  /** The paid plan subscribed to, or null. */
  subscribedPlan: PlanId | null
  status: BillingStatus
  /** Cancelled in the portal: access lasts until currentPeriodEnd. */
  cancelAtPeriodEnd: boolean
  currentPeriodEnd: string | null
  pastDueSince: string | null
  /** When a past-due workspace falls back to free limits. */
  graceEndsAt: string | null
  /** Owners and admins may upgrade and open the portal. */
  canManage: boolean
  usage: {
    periodFrom: string
    periodTo: string
    spentMicros: number
    includedMicros: number
    budgetMicros: number
    /** Spent beyond the included usage this period (billed on paid plans). */
    overageMicros: number
  }
  members: { count: number; limit: number }
  /** Over a limit of the plan that applies now: the excess is read-only (no new members). */
  overLimit: { members: boolean }
}
