import { z } from 'zod'
import { entityId } from './workspace'

/**
 * The budget period containing `now`: the calendar month in UTC, `to`
 * exclusive. The one place that decides it, so a later switch to the Stripe
 * subscription's own period changes this function only. Lives in `shared/`
 * so the usage query below and the UI default to the same range the quota
 * counts.
 */
export function currentPeriod(now: Date = new Date()): { from: Date; to: Date } {
  const year = now.getUTCFullYear()
  const month = now.getUTCMonth()
  return { from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)) }
}

/** Longest range one summary may cover: bounds the scan a single request can ask for. */
export const MAX_USAGE_RANGE_DAYS = 366

const DAY_MS = 24 * 60 * 60 * 1000

/** `2025-03-01` (midnight UTC) or a full ISO timestamp with its offset. */
const isoInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })], {
    message: 'Use an ISO date (YYYY-MM-DD) or an ISO timestamp',
  })
  .transform((s) => new Date(s))

/** A query parameter sent empty (`?from=`) means "not given". */
const optionalInstant = z.preprocess((v) => (v === '' ? undefined : v), isoInstant.optional())

/**
 * `GET .../usage?from&to&userId`: the range defaults, bound by bound, to the
 * current period. `userId` narrows the figures to one member; whether the
 * caller may see other members' usage is the route's decision, not this
 * schema's.
 */
export const usageQuery = z
  .object({
    from: optionalInstant,
    to: optionalInstant,
    userId: z.preprocess((v) => (v === '' ? undefined : v), entityId.optional()),
  })
  .transform((q, ctx) => {
    const period = currentPeriod()
    const from = q.from ?? period.from
    const to = q.to ?? period.to
    if (to.getTime() <= from.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: '"to" must be after "from"' })
      return z.NEVER
    }
    if (to.getTime() - from.getTime() > MAX_USAGE_RANGE_DAYS * DAY_MS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `A range may cover at most ${MAX_USAGE_RANGE_DAYS} days` })
      return z.NEVER
    }
    return { from, to, ...(q.userId ? { userId: q.userId } : {}) }
  })

export type UsageQuery = z.output<typeof usageQuery>

/** Counts and sums over a set of usage events; money in integer micro-units. */
export interface UsageTotals {
  calls: number
  inputTokens: number
  outputTokens: number
  costMicros: number
}

/** What `getUsageSummary` (db/usage-summary.ts) answers, and the usage endpoint sends as JSON. */
export interface UsageSummary {
  /** The range asked for (ISO strings), `to` exclusive; the figures below `remainingMicros` cover it. */
  from: string
  to: string
  /** The budget period now running (see `currentPeriod`), which the next four figures describe. */
  period: { from: string; to: string }
  budgetMicros: number
  /** Settled cost in the current period, the whole workspace, whatever the filter. */
  spentMicros: number
  /** Held by calls in flight (unexpired reservations). */
  reservedMicros: number
  /** Budget less spent and reserved, never below 0 (a call may cost more than it reserved). */
  remainingMicros: number
  totals: UsageTotals
  /** Most expensive first. `name`/`email` are null once the user's account is gone. */
  byMember: Array<UsageTotals & { userId: string; name: string | null; email: string | null }>
  /** Most expensive first. */
  byModel: Array<UsageTotals & { model: string }>
  /** Days (UTC) with at least one call, oldest first. */
  byDay: Array<UsageTotals & { day: string }>
}
