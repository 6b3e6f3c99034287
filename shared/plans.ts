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
  /**
   * Model usage the plan's price includes per period, micro-units. On a paid
   * plan, usage beyond it is billed as overage through Stripe's meter, up to
   * `limits.monthlyBudgetMicros` (the hard cap); the free plan has no overage.
   */
  includedUsageMicros: number
  /** The subscription price, for display (Stripe holds the real one): cents per period, per workspace or per member. */
  price: { cents: number; per: 'workspace' | 'seat' } | null
  /** What a unit of overage costs: cents billed per 1,000,000 micro-units (one unit of currency) of model cost. */
  overageCentsPerUnit: number | null
  /** Paid plans are bought through Stripe; the free plan needs no Stripe at all. */
  paid: boolean
}

export const PLANS: Readonly<Record<PlanId, Plan>> = {
  free: {
    id: 'free',
    label: 'Free',
    limits: { members: 5, pendingInvitations: 3, sidekiqs: 5, monthlyBudgetMicros: 2_000_000 },
    includedUsageMicros: 2_000_000,
    price: null,
    overageCentsPerUnit: null,
    paid: false,
  },
  pro: {
    id: 'pro',
    label: 'Pro',
    limits: { members: 25, pendingInvitations: 15, sidekiqs: 50, monthlyBudgetMicros: 20_000_000 },
    includedUsageMicros: 10_000_000,
    price: { cents: 2_000, per: 'workspace' },
    overageCentsPerUnit: 120,
    paid: true,
  },
  team: {
    id: 'team',
    label: 'Team',
    limits: { members: 200, pendingInvitations: 100, sidekiqs: null, monthlyBudgetMicros: 200_000_000 },
    includedUsageMicros: 100_000_000,
    price: { cents: 1_500, per: 'seat' },
    overageCentsPerUnit: 120,
    paid: true,
  },
}

export function isPlanId(value: unknown): value is PlanId {
  return typeof value === 'string' && (PLAN_IDS as readonly string[]).includes(value)
}

/** Unknown plan ids (say, from an old row) fall back to the free limits. */
export function planFor(id: string | null | undefined): Plan {
  return isPlanId(id) ? PLANS[id] : PLANS.free
}

export const PAID_PLAN_IDS = PLAN_IDS.filter((id) => PLANS[id].paid)
