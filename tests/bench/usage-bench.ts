/**
 * `npm run bench -- usage`: throughput of metering, the path every model call
 * takes twice (reserveQuota before the call, recordUsage after it), against
 * real PostgreSQL through the app's own database handle. Workers run
 * reserve -> record back to back for distinct generation ids, first spread
 * over many workspaces, then all in one (where reservations take turns on
 * the workspace row), then in one with a busy month behind it (what the
 * quota check has to add up). Afterwards the database is checked against
 * what the workers were told. Prints figures; asserts nothing.
 */
import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { count, inArray, sql } from 'drizzle-orm'
import { createDatabase, type Db } from '../../db/client'
import { usageDaily, usageEvent, usageReservation, workspace } from '../../db/schema'
import { recordUsage, reserveQuota } from '../../db/usage'
import { createBenchDatabase } from './servers'
import { ms, percentile } from './stats'

const GOAL_PER_SECOND = 1000
const WORKERS = Number(process.env.USAGE_BENCH_WORKERS ?? 64)
const DURATION_MS = Number(process.env.USAGE_BENCH_SECONDS ?? 10) * 1000
const MANY_WORKSPACES = 1000
/** What each call reserves, and what it then costs. */
const ESTIMATE_MICROS = 1_000
const COST_MICROS = 700
/** A busy team's month: what the quota check must add up without slowing down. */
const HEAVY_HISTORY = 200_000
/** Every RETRY_EVERY-th call records its usage twice, as a retry after a lost reply would. */
const RETRY_EVERY = 10

interface Scenario {
  name: string
  workspaceIds: string[]
  /** Calls already settled this month in each workspace before the run. */
  priorEvents?: number
}

interface Outcome {
  settled: number
  seconds: number
  reserveMs: number[]
  recordMs: number[]
  refused: number
  retriesRefused: number
  retries: number
  errors: number
  lost: number
  doubled: number
  costMismatchMicros: number
  rollupMismatchMicros: number
  reservationsLeft: number
}

/** Events (and their cost) held for these workspaces, and what the daily rollup says they cost. */
async function totals(db: Db, workspaceIds: string[]) {
  const [events] = await db
    .select({ n: count(), cost: sql`coalesce(sum(${usageEvent.costMicros}), 0)::bigint`.mapWith(Number) })
    .from(usageEvent)
    .where(inArray(usageEvent.workspaceId, workspaceIds))
  const [rollup] = await db
    .select({ cost: sql`coalesce(sum(${usageDaily.costMicros}), 0)::bigint`.mapWith(Number) })
    .from(usageDaily)
    .where(inArray(usageDaily.workspaceId, workspaceIds))
  return { events: events.n, cost: events.cost, rollupCost: rollup.cost }
}

/** Settled calls spread over this month so far, written straight in as history (the rollup follows by trigger). */
async function seedHistory(db: Db, workspaceId: string, events: number, userId: string) {
  await db.execute(sql`
    insert into ${usageEvent} (id, workspace_id, user_id, kind, model, input_tokens, output_tokens,
      cost_micros, started_at, ended_at, outcome)
    select gen_random_uuid()::text, ${workspaceId}, ${userId}, 'answer', 'gpt-4o-mini', 800, 200, ${COST_MICROS}, t, t, 'done'
    from (select now() - random() * (now() - date_trunc('month', now(), 'UTC')) as t
      from generate_series(1, ${events})) s`)
  await db.execute(sql`analyze ${usageEvent}`)
}

async function runScenario(db: Db, s: Scenario, userId: string): Promise<Outcome> {
  const settledIds: string[] = []
  const reserveMs: number[] = []
  const recordMs: number[] = []
  let refused = 0
  let retries = 0
  let retriesRefused = 0
  let errors = 0
  let n = 0
  if (s.priorEvents) for (const id of s.workspaceIds) await seedHistory(db, id, s.priorEvents, userId)
  // Statistics as a live database has them (autovacuum analyzes growing
  // tables): planned against a bench database's empty tables, the quota
  // check scans instead of using its indexes (1,280 vs 3,600 calls/s in one
  // workspace, measured).
  await db.execute(sql`analyze`)
  const before = await totals(db, s.workspaceIds)
  const started = performance.now()
  const deadline = started + DURATION_MS

  const worker = async () => {
    while (performance.now() < deadline) {
      const i = n++
      const workspaceId = s.workspaceIds[i % s.workspaceIds.length]
      const generationId = randomUUID()
      try {
        const t0 = performance.now()
        const reserved = await reserveQuota(db, {
          generationId,
          workspaceId,
          userId,
          amountMicros: ESTIMATE_MICROS,
          ttlMs: 60_000,
        })
        const t1 = performance.now()
        reserveMs.push(t1 - t0)
        if (reserved.status !== 'reserved') throw new Error(`fresh id answered ${reserved.status}`)
        const usage = {
          generationId,
          workspaceId,
          userId,
          chatId: `chat-${i % 50}`,
          kind: 'answer' as const,
          model: i % 3 ? 'gpt-4o-mini' : 'claude-haiku',
          inputTokens: 800,
          outputTokens: 200,
          costMicros: COST_MICROS,
          startedAt: new Date(),
          endedAt: new Date(),
          outcome: 'done' as const,
        }
        const { recorded } = await recordUsage(db, usage)
        recordMs.push(performance.now() - t1)
        if (!recorded) throw new Error('a first recording was refused')
        settledIds.push(generationId)
        if (i % RETRY_EVERY === 0) {
          retries++
          if (!(await recordUsage(db, usage)).recorded) retriesRefused++
        }
      } catch (error) {
        if ((error as { code?: string }).code === 'QUOTA_EXCEEDED') refused++
        else if (errors++ === 0) console.error(error)
      }
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker))
  const seconds = (performance.now() - started) / 1000

  // Compare what the database holds with what the workers were told.
  const after = await totals(db, s.workspaceIds)
  let found = 0
  for (let i = 0; i < settledIds.length; i += 5000) {
    const [c] = await db
      .select({ n: count() })
      .from(usageEvent)
      .where(inArray(usageEvent.id, settledIds.slice(i, i + 5000)))
    found += c.n
  }
  const [left] = await db
    .select({ n: count() })
    .from(usageReservation)
    .where(inArray(usageReservation.workspaceId, s.workspaceIds))
  return {
    settled: settledIds.length,
    seconds,
    reserveMs,
    recordMs,
    refused,
    retries,
    retriesRefused,
    errors,
    lost: settledIds.length - found,
    // Rows added beyond one per settled call (the primary key already rules
    // out two rows for one id, so these would be rows nobody was told about).
    doubled: after.events - before.events - found,
    costMismatchMicros: after.cost - before.cost - settledIds.length * COST_MICROS,
    rollupMismatchMicros: after.rollupCost - after.cost,
    reservationsLeft: left.n,
  }
}

function report(s: Scenario, o: Outcome) {
  const rate = o.settled / o.seconds
  console.log(`\n${s.name}`)
  console.log(
    `  settled ${o.settled} calls in ${o.seconds.toFixed(1)} s: ${Math.round(rate)} calls/s ` +
      `(goal ${GOAL_PER_SECOND}: ${rate >= GOAL_PER_SECOND ? 'met' : 'not met'})`,
  )
  console.log(`  reserveQuota p50 ${ms(percentile(o.reserveMs, 50))}, p99 ${ms(percentile(o.reserveMs, 99))}`)
  console.log(`  recordUsage  p50 ${ms(percentile(o.recordMs, 50))}, p99 ${ms(percentile(o.recordMs, 99))}`)
  console.log(
    `  lost: ${o.lost}, doubled: ${o.doubled}; retried recordings refused ${o.retriesRefused}/${o.retries}; ` +
      `cost off by ${o.costMismatchMicros} micros, rollup off by ${o.rollupMismatchMicros}; ` +
      `reservations left ${o.reservationsLeft}; ` +
      `refused for quota ${o.refused}; errors ${o.errors}`,
  )
}

export async function runUsageBench() {
  const bench = await createBenchDatabase(MANY_WORKSPACES + 2)
  const database = createDatabase(bench.url)
  try {
    // The bench user belongs to every workspace; put them all on the largest
    // budget so the quota never refuses and every call settles.
    await database.db.update(workspace).set({ plan: 'team' })
    const [{ ownerId }] = await database.db.select({ ownerId: workspace.ownerId }).from(workspace).limit(1)
    console.log(
      `usage bench: ${WORKERS} concurrent workers, ${DURATION_MS / 1000} s per scenario, ` +
        `app database handle (postgres-js, pool of 10) on PostgreSQL`,
    )
    const scenarios: Scenario[] = [
      { name: `${MANY_WORKSPACES} workspaces, calls spread round-robin`, workspaceIds: bench.workspaceIds.slice(2) },
      { name: 'one workspace, every call in it', workspaceIds: bench.workspaceIds.slice(0, 1) },
      {
        name: `one workspace that already settled ${HEAVY_HISTORY.toLocaleString('en')} calls this month`,
        workspaceIds: bench.workspaceIds.slice(1, 2),
        priorEvents: HEAVY_HISTORY,
      },
    ]
    for (const s of scenarios) report(s, await runScenario(database.db, s, ownerId))
  } finally {
    await database.close()
    await bench.drop()
  }
}
