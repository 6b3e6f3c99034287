import { and, eq, gt, gte, inArray, lt, lte, sql } from 'drizzle-orm'
import { AppError, notFound } from '../shared/errors'
import { PLANS, planFor } from '../shared/plans'
import { currentPeriod } from '../shared/schemas/usage'
import type { Db } from './client'
import { preparedPerDb } from './prepared'
import { usageEvent, usageReservation, type UsageKind, type UsageOutcome } from './schema'

/**
 * Metering of model calls. A call first reserves its worst-case cost against
 * the workspace's budget for the period (`reserveQuota`), then settles its
 * actual cost as one usage event (`recordUsage`), which frees the
 * reservation. Both are keyed by the generation id, so retries of either
 * step never charge twice. Money is integer micro-units throughout.
 */

// One definition of the period, shared with the usage query's defaults.
export { currentPeriod }

export interface ReserveQuotaInput {
  generationId: string
  workspaceId: string
  userId: string
  /** The most this call may cost (its estimate), in micro-units. */
  amountMicros: number
  /** How long the reservation holds if the call is never settled (say, the process dies). */
  ttlMs: number
  now?: Date
}

export type ReserveQuotaResult =
  /** Budget held; `remainingMicros` is what is left for other calls after this one. */
  | { status: 'reserved'; remainingMicros: number }
  /** This generation already holds a reservation or was already recorded: nothing was reserved again. */
  | { status: 'exists' }

/**
 * Holds `amountMicros` of the workspace's budget for one call, or throws
 * QUOTA_EXCEEDED (nothing held) when it does not fit; NOT_FOUND for a
 * workspace that does not exist.
 *
 * The check runs in the database (function usage_reserve, migration 0003):
 * lock the workspace row, add up what was spent this period and what live
 * reservations hold, insert the reservation only if it fits, as one
 * statement. Reservers of one workspace take turns on that lock, so two of
 * them never both fit into the same remaining budget, whichever process
 * they run in. Calls arriving while a check is in flight wait and go
 * together in the next one (group commit), as if reserved one after the
 * other in arrival order; each caller still gets its own answer.
 */
export async function reserveQuota(db: Db, input: ReserveQuotaInput): Promise<ReserveQuotaResult> {
  assertMicros('amountMicros', input.amountMicros)
  if (!Number.isFinite(input.ttlMs) || input.ttlMs <= 0) throw new AppError('BAD_REQUEST', 'ttlMs must be positive')
  return meterFor(db).reserves.submit(input)
}

/** The usage_reserve call, built once per handle: it is on the path of every answer. */
const reserveStatement = preparedPerDb((db) =>
  db
    .select({
      item: sql`item`.mapWith(Number),
      status: sql<'not_found' | 'exists' | 'exceeded' | 'reserved'>`result_status`,
      budgetMicros: sql`budget_micros`.mapWith(Number),
      availableMicros: sql`available_micros`.mapWith(Number),
    })
    .from(
      // synchronous_commit is off for this transaction only (docs/decisions/011): a
      // reservation is a hold, not a record, and waiting for its WAL flush sat on the path
      // of every answer. Its lock and its row are seen by every other reserver at commit
      // all the same; a database crash can only lose holds, like ones that expired.
      sql`usage_reserve(${sql.placeholder('items')}::jsonb, ${sql.placeholder('now')}::timestamptz,
        ${sql.placeholder('from')}::timestamptz, ${sql.placeholder('to')}::timestamptz,
        ${BUDGETS_BY_PLAN}::jsonb, ${planFor(null).limits.monthlyBudgetMicros}::bigint)
        CROSS JOIN set_config('synchronous_commit', 'off', true)`,
    )
    .prepare('usage_reserve'),
)

/**
 * One usage_reserve call for a batch. Every input in it has the same `now`
 * (or none: then the batch is checked at the time it goes out).
 */
async function reserveBatch(db: Db, inputs: ReserveQuotaInput[]): Promise<Outcome<ReserveQuotaResult>[]> {
  const now = inputs[0].now ?? new Date()
  const period = currentPeriod(now)
  const items = inputs.map((i) => ({
    id: i.generationId,
    workspaceId: i.workspaceId,
    userId: i.userId,
    amountMicros: i.amountMicros,
    expiresAt: new Date(now.getTime() + i.ttlMs).toISOString(),
  }))
  const rows = await reserveStatement(db).execute({
    items: JSON.stringify(items),
    now: now.toISOString(),
    from: period.from.toISOString(),
    to: period.to.toISOString(),
  })
  const byItem = new Map(rows.map((r) => [r.item, r]))
  return inputs.map((input, i): Outcome<ReserveQuotaResult> => {
    const row = byItem.get(i + 1)
    switch (row?.status) {
      case 'reserved':
        return { value: { status: 'reserved', remainingMicros: row.availableMicros } }
      case 'exists':
        return { value: { status: 'exists' } }
      case 'not_found':
        return { error: notFound() }
      case 'exceeded':
        return { error: quotaExceeded(row.availableMicros, row.budgetMicros, input.amountMicros, period.to) }
      default:
        return { error: new Error(`usage_reserve gave no answer for item ${i + 1}`) }
    }
  })
}

function quotaExceeded(availableMicros: number, budgetMicros: number, amountMicros: number, renewsAt: Date) {
  return new AppError(
    'QUOTA_EXCEEDED',
    `Not enough model budget left in this workspace: ${formatMicros(Math.max(0, availableMicros))} ` +
      `of ${formatMicros(budgetMicros)} remains this period (calls in flight included), and this call ` +
      `may cost up to ${formatMicros(amountMicros)}. The budget renews on ${renewsAt.toISOString().slice(0, 10)}.`,
  )
}

/** `{"free": 2000000, ...}`: what usage_reserve reads a workspace's budget from, by its plan. */
const BUDGETS_BY_PLAN = JSON.stringify(
  Object.fromEntries(Object.values(PLANS).map((plan) => [plan.id, plan.limits.monthlyBudgetMicros])),
)

export interface RecordUsageInput {
  generationId: string
  workspaceId: string
  /** The member whose call it was. */
  userId: string
  chatId: string | null
  kind: UsageKind
  model: string
  inputTokens: number
  outputTokens: number
  costMicros: number
  startedAt: Date
  endedAt: Date
  outcome: UsageOutcome
}

/**
 * Settles a call: its usage event in (and, by trigger, its cost into the
 * daily rollup), its reservation out, in one statement (so in one commit). `recorded` is false when this generation was already
 * recorded, so a retry changes nothing. Throws NOT_FOUND if the workspace
 * was deleted meanwhile. Settlements arriving together share a statement,
 * as reservations do.
 */
export async function recordUsage(db: Db, input: RecordUsageInput): Promise<{ recorded: boolean }> {
  assertMicros('costMicros', input.costMicros)
  assertTokens('inputTokens', input.inputTokens)
  assertTokens('outputTokens', input.outputTokens)
  return meterFor(db).records.submit(input)
}

async function recordBatch(db: Db, inputs: RecordUsageInput[]): Promise<Outcome<{ recorded: boolean }>[]> {
  // A second settlement of one generation in the same batch records nothing:
  // only the first goes into the statement.
  const first = new Map<string, number>()
  inputs.forEach((input, i) => {
    if (!first.has(input.generationId)) first.set(input.generationId, i)
  })
  const ids = [...first.keys()]
  const inserted = db.$with('inserted').as(
    db
      .insert(usageEvent)
      .values([...first.values()].map((i) => eventRow(inputs[i])))
      .onConflictDoNothing({ target: usageEvent.id })
      .returning({
        id: usageEvent.id,
        workspaceId: usageEvent.workspaceId,
        endedAt: usageEvent.endedAt,
        costMicros: usageEvent.costMicros,
      }),
  )
  // Runs although nothing reads it: PostgreSQL always completes a data-modifying WITH.
  const released = db
    .$with('released')
    .as(db.delete(usageReservation).where(inArray(usageReservation.id, ids)).returning({ id: usageReservation.id }))
  const statement = db.with(inserted, released).select({ id: inserted.id }).from(inserted)
  let rows: { id: string }[]
  try {
    rows = await statement
  } catch (error) {
    // Alone in its batch, a deleted workspace is this call's own answer;
    // in a larger batch the batcher retries each call alone to find it.
    if (inputs.length === 1 && pgErrorCode(error) === FOREIGN_KEY_VIOLATION) return [{ error: notFound() }]
    throw error
  }
  const recorded = new Set(rows.map((r) => r.id))
  return inputs.map((input, i) => ({
    value: { recorded: first.get(input.generationId) === i && recorded.has(input.generationId) },
  }))
}

function eventRow({ generationId, ...event }: RecordUsageInput): typeof usageEvent.$inferInsert {
  return { id: generationId, ...event }
}

/**
 * Frees the budget held for a call that never reached the provider.
 * Returns whether there was a reservation to free.
 */
export async function releaseReservation(db: Db, generationId: string): Promise<boolean> {
  const deleted = await db
    .delete(usageReservation)
    .where(eq(usageReservation.id, generationId))
    .returning({ id: usageReservation.id })
  return deleted.length > 0
}

/**
 * Housekeeping only: expired reservations already count for nothing. Returns
 * how many were deleted.
 */
export async function deleteExpiredReservations(db: Db, now: Date = new Date()): Promise<number> {
  const deleted = await db
    .delete(usageReservation)
    .where(lte(usageReservation.expiresAt, now))
    .returning({ id: usageReservation.id })
  return deleted.length
}

/** Live reservations of one workspace, in micro-units (what calls in flight hold). */
export async function reservedMicros(db: Db, workspaceId: string, now: Date = new Date()): Promise<number> {
  const [row] = await db
    .select({ total: sql`coalesce(sum(${usageReservation.amountMicros}), 0)::bigint`.mapWith(Number) })
    .from(usageReservation)
    .where(live(workspaceId, now))
  return row.total
}

/** Settled cost of one workspace with `ended_at` in [from, to), in micro-units. */
export async function spentMicros(db: Db, workspaceId: string, from: Date, to: Date): Promise<number> {
  const [row] = await db
    .select({ total: sql`coalesce(sum(${usageEvent.costMicros}), 0)::bigint`.mapWith(Number) })
    .from(usageEvent)
    .where(inPeriod(workspaceId, { from, to }))
  return row.total
}

/** A workspace's usage events that ended in [from, to). */
function inPeriod(workspaceId: string, { from, to }: { from: Date; to: Date }) {
  return and(eq(usageEvent.workspaceId, workspaceId), gte(usageEvent.endedAt, from), lt(usageEvent.endedAt, to))
}

/** A workspace's reservations still holding budget at `now`. */
function live(workspaceId: string, now: Date) {
  return and(eq(usageReservation.workspaceId, workspaceId), gt(usageReservation.expiresAt, now))
}

const FOREIGN_KEY_VIOLATION = '23503'

/** The SQLSTATE of a database error, whichever driver raised it (drizzle wraps it as `cause`). */
function pgErrorCode(error: unknown): string | undefined {
  for (let e = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code
  }
  return undefined
}

function assertMicros(name: string, value: number) {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new AppError('BAD_REQUEST', `${name} must be a non-negative integer`)
}

/** Token counts go into an `integer` column. */
function assertTokens(name: string, value: number) {
  if (!Number.isInteger(value) || value < 0 || value > 2_147_483_647)
    throw new AppError('BAD_REQUEST', `${name} must be a non-negative 32-bit integer`)
}

/** `1234567` -> `1.234567` (currency units): readable without naming a currency the plans do not fix. */
function formatMicros(micros: number): string {
  const sign = micros < 0 ? '-' : ''
  const abs = Math.abs(micros)
  return `${sign}${Math.floor(abs / 1_000_000)}.${String(abs % 1_000_000).padStart(6, '0')}`
}

/** A batched call's own answer: its value, or the error its caller gets. */
type Outcome<T> = { value: T } | { error: unknown }

/** Most calls one statement carries. */
const MAX_BATCH = 256

/**
 * Group commit: one statement in flight per database handle and kind; what
 * arrives meanwhile goes out together in the next one. A lone call goes out
 * at once, so batching adds no wait when there is no queue. If a whole
 * batch fails, each of its calls is retried alone so one bad call fails
 * only its own caller.
 */
class Batcher<In, Out> {
  private pending: { input: In; resolve: (value: Out) => void; reject: (error: unknown) => void }[] = []
  private running = false

  constructor(
    private readonly run: (inputs: In[]) => Promise<Outcome<Out>[]>,
    /** Whether `b` may go in a batch led by `a`. */
    private readonly compatible: (a: In, b: In) => boolean = () => true,
  ) {}

  submit(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject })
      if (!this.running) void this.drain()
    })
  }

  private async drain() {
    this.running = true
    try {
      while (this.pending.length) {
        const lead = this.pending[0].input
        const batch: typeof this.pending = []
        const later: typeof this.pending = []
        for (const p of this.pending)
          (batch.length < MAX_BATCH && this.compatible(lead, p.input) ? batch : later).push(p)
        this.pending = later
        const outcomes = await this.run(batch.map((p) => p.input)).catch((error: unknown) =>
          batch.length === 1
            ? [{ error }]
            : Promise.all(
                batch.map((p) =>
                  this.run([p.input]).then(
                    ([o]) => o,
                    (e: unknown) => ({ error: e }),
                  ),
                ),
              ),
        )
        outcomes.forEach((o, i) => ('error' in o ? batch[i].reject(o.error) : batch[i].resolve(o.value)))
      }
    } finally {
      this.running = false
    }
  }
}

interface Meter {
  reserves: Batcher<ReserveQuotaInput, ReserveQuotaResult>
  records: Batcher<RecordUsageInput, { recorded: boolean }>
}

/** One meter per database handle (and so per process), made on first use. */
const meters = new WeakMap<Db, Meter>()

function meterFor(db: Db): Meter {
  let meter = meters.get(db)
  if (!meter) {
    meter = {
      // Checks that name their own clock batch only with others at the same instant.
      reserves: new Batcher(
        (inputs) => reserveBatch(db, inputs),
        (a, b) => a.now?.getTime() === b.now?.getTime(),
      ),
      records: new Batcher((inputs) => recordBatch(db, inputs)),
    }
    meters.set(db, meter)
  }
  return meter
}
