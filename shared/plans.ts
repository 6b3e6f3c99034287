/**
 * Plans and their limits are data: billing (Stripe) only decides which plan
 * a workspace is on. `null` means unlimited.
 */
export const PLAN_IDS = ['free', 'pro', 'team'] as const
export type PlanId = (typeof PLAN_IDS)[number]

export interface PlanLimits {
  /** Members, the owner included. */
  members: number
  /**
   * Invitations waiting for an answer at one time. Pending invitations also
   * count against `members`, so this cap is kept below it to mean something.
   */
  pendingInvitations: number
  sidekiqs: number | null
  /** Model budget per billing period, in micro-units of currency. */
  monthlyBudgetMicros: number
}

export interface Plan {
  id: PlanId
  label: string
  limits: PlanLimits
}

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: 'free',
    label: 'Free',
    limits: { members: 5, pendingInvitations: 3, sidekiqs: 5, monthlyBudgetMicros: 2_000_000 },
  },
  pro: {
    id: 'pro',
    label: 'Pro',
    limits: { members: 25, pendingInvitations: 15, sidekiqs: 50, monthlyBudgetMicros: 20_000_000 },
  },
  team: {
    id: 'team',
    label: 'Team',
    limits: { members: 200, pendingInvitations: 100, sidekiqs: null, monthlyBudgetMicros: 200_000_000 },
  },
}

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === 'string' && (PLAN_IDS as readonly string[]).includes(value)
}

/** Unknown plan ids (say, from an old row) fall back to the free limits. */
export function planFor(id: string | null | undefined): Plan {
  return isPlanId(id) ? PLANS[id] : PLANS.free
}
