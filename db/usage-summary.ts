import { and, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm'
import { notFound } from '../shared/errors'
import { planFor } from '../shared/plans'
import type { UsageSummary, UsageTotals } from '../shared/schemas/usage'
import type { Db } from './client'
import { usageEvent, user, workspace } from './schema'
import { currentPeriod, reservedMicros, spentMicros } from './usage'

export interface UsageSummaryInput {
  workspaceId: string
  /** Usage events with `ended_at` in [from, to). */
  from: Date
  to: Date
  /** Only this member's calls in the totals and breakdowns; the budget figures stay workspace-wide. */
  userId?: string
  now?: Date
}

// Constants inlined (not bound as parameters) so the grouped expression is
// textually the same in the select list and in GROUP BY, as PostgreSQL requires.
const day = sql<string>`to_char(${usageEvent.endedAt} at time zone 'UTC', 'YYYY-MM-DD')`

/**
 * A workspace's usage over a range, broken down by member, model and day,
 * with where its budget stands this period. The caller checks that the
 * acting user may see it (membership, and others' usage only for those
 * allowed).
 */
export async function getUsageSummary(db: Db, input: UsageSummaryInput): Promise<UsageSummary> {
  const { workspaceId, from, to, userId } = input
  const now = input.now ?? new Date()
  const [ws] = await db.select({ plan: workspace.plan }).from(workspace).where(eq(workspace.id, workspaceId))
  if (!ws) throw notFound()
  const period = currentPeriod(now)
  const budgetMicros = planFor(ws.plan).limits.monthlyBudgetMicros

  const filters: SQL[] = [
    eq(usageEvent.workspaceId, workspaceId),
    gte(usageEvent.endedAt, from),
    lt(usageEvent.endedAt, to),
  ]
  if (userId !== undefined) filters.push(eq(usageEvent.userId, userId))

  // One scan for all four views: the grand total, and per member, model and day.
  const [rows, spent, reserved] = await Promise.all([
    db
      .select({
        userId: usageEvent.userId,
        model: usageEvent.model,
        day,
        // Bit 2 = user_id not grouped, 1 = model not grouped, 0 = day not grouped.
        grouping: sql`grouping(${usageEvent.userId}, ${usageEvent.model}, ${day})`.mapWith(Number),
        calls: sql`count(*)`.mapWith(Number),
        inputTokens: sql`coalesce(sum(${usageEvent.inputTokens}), 0)::bigint`.mapWith(Number),
        outputTokens: sql`coalesce(sum(${usageEvent.outputTokens}), 0)::bigint`.mapWith(Number),
        costMicros: sql`coalesce(sum(${usageEvent.costMicros}), 0)::bigint`.mapWith(Number),
      })
      .from(usageEvent)
      .where(and(...filters))
      .groupBy(sql`grouping sets ((${usageEvent.userId}), (${usageEvent.model}), (${day}), ())`),
    spentMicros(db, workspaceId, period.from, period.to),
    reservedMicros(db, workspaceId, now),
  ])

  const totalsOf = (r: (typeof rows)[number]): UsageTotals => ({
    calls: r.calls,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costMicros: r.costMicros,
  })
  const byCost = (a: UsageTotals, b: UsageTotals) => b.costMicros - a.costMicros || b.calls - a.calls
  const grand = rows.find((r) => r.grouping === 0b111)
  const memberRows = rows.filter((r) => r.grouping === 0b011)
  const modelRows = rows.filter((r) => r.grouping === 0b101)
  const dayRows = rows.filter((r) => r.grouping === 0b110)

  // Left to a second query, not joined: events outlive their users' accounts.
  const userIds = memberRows.map((r) => r.userId)
  const people = userIds.length
    ? await db.select({ id: user.id, name: user.name, email: user.email }).from(user).where(inArray(user.id, userIds))
    : []
  const personById = new Map(people.map((p) => [p.id, p]))

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    budgetMicros,
    spentMicros: spent,
    reservedMicros: reserved,
    remainingMicros: Math.max(0, budgetMicros - spent - reserved),
    totals: grand ? totalsOf(grand) : { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 },
    byMember: memberRows
      .map((r) => ({
        userId: r.userId,
        name: personById.get(r.userId)?.name ?? null,
        email: personById.get(r.userId)?.email ?? null,
        ...totalsOf(r),
      }))
      .sort((a, b) => byCost(a, b) || a.userId.localeCompare(b.userId)),
    byModel: modelRows
      .map((r) => ({ model: r.model, ...totalsOf(r) }))
      .sort((a, b) => byCost(a, b) || a.model.localeCompare(b.model)),
    byDay: dayRows.map((r) => ({ day: r.day, ...totalsOf(r) })).sort((a, b) => a.day.localeCompare(b.day)),
  }
}
