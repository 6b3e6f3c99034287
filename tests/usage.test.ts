import { randomUUID } from 'node:crypto'
import { count, eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { user, usageDaily, usageEvent, usageReservation, workspace } from '../db/schema'
import { getUsageSummary } from '../db/usage-summary'
import {
  currentPeriod,
  deleteExpiredReservations,
  recordUsage,
  releaseReservation,
  reserveQuota,
  type RecordUsageInput,
} from '../db/usage'
import { AppError } from '../shared/errors'
import { PLANS } from '../shared/plans'
import { usageQuery, type UsageTotals } from '../shared/schemas/usage'
import { parseInput } from '../shared/validation'
import { createDatabase, type Database, type Db } from '../db/client'
import { createHarness, signUp, type Harness, type TestClient } from './helpers/harness'
import { addMember, createWorkspace, setPlan } from './helpers/fixtures'

/**
 * Metering and quota (db/usage.ts): reservations against the plan's budget,
 * exactly-once settlement, and the usage summary, on whichever database the
 * harness runs (PostgreSQL when DATABASE_URL is set, else PGlite).
 */

let h: Harness
let owner: TestClient
/**
 * Database handles standing for separate app processes, each with its own
 * pool and its own batching: on PostgreSQL, the harness's plus three more on
 * the same database; PGlite has a single connection, so only the harness's.
 */
let processes: Db[]
let extraHandles: Database[] = []

const FREE = PLANS.free.limits.monthlyBudgetMicros
const PRO = PLANS.pro.limits.monthlyBudgetMicros
/** A fixed clock, mid-month, so no test straddles a period boundary by accident. */
const NOW = new Date('2025-06-15T12:00:00.000Z')
const HOUR = 3600_000

beforeAll(async () => {
  h = await createHarness()
  owner = await signUp(h, 'Owner')
  const url = (h.database as { url?: string }).url
  extraHandles = url ? [createDatabase(url), createDatabase(url), createDatabase(url)] : []
  processes = [h.db, ...extraHandles.map((d) => d.db)]
  // Connected up front, so no process's first call trails the others by a connection setup.
  await Promise.all(processes.map((db) => db.execute(sql`select 1`)))
})

afterAll(async () => {
  await Promise.all(extraHandles.map((d) => d.close()))
  await h?.close()
})

async function newWorkspace() {
  return (await createWorkspace(owner, { keepActive: true })).id
}

function reserve(
  workspaceId: string,
  amountMicros: number,
  opts: { id?: string; now?: Date; ttlMs?: number; db?: Db } = {},
) {
  return reserveQuota(opts.db ?? h.db, {
    generationId: opts.id ?? randomUUID(),
    workspaceId,
    userId: owner.user!.id,
    amountMicros,
    ttlMs: opts.ttlMs ?? HOUR,
    now: opts.now ?? NOW,
  })
}

function event(workspaceId: string, over: Partial<RecordUsageInput> = {}): RecordUsageInput {
  const endedAt = over.endedAt ?? NOW
  return {
    generationId: randomUUID(),
    workspaceId,
    userId: owner.user!.id,
    chatId: 'chat-1',
    kind: 'answer',
    model: 'demo',
    inputTokens: 100,
    outputTokens: 50,
    costMicros: 1000,
    startedAt: new Date(endedAt.getTime() - 2000),
    endedAt,
    outcome: 'done',
    ...over,
  }
}

async function expectQuotaExceeded(p: Promise<unknown>) {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).code).toBe('QUOTA_EXCEEDED')
  expect((error as AppError).status).toBe(402)
  return error as AppError
}

async function countRows(table: typeof usageEvent | typeof usageReservation, id: string) {
  const [row] = await h.db.select({ n: count() }).from(table).where(eq(table.id, id))
  return row.n
}

async function reservationsOf(workspaceId: string) {
  return h.db.select().from(usageReservation).where(eq(usageReservation.workspaceId, workspaceId))
}

describe('reserveQuota', () => {
  test('50 parallel reservations from several processes admit exactly as many as fit, spent usage included', async () => {
    const ws = await newWorkspace()
    await recordUsage(h.db, event(ws, { costMicros: 500_000 }))
    // 1,500,000 left: 7 calls of 200,000 fit (1,400,000), an 8th would not.
    const estimate = 200_000
    const fits = Math.floor((FREE - 500_000) / estimate)
    expect(fits).toBe(7)

    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => reserve(ws, estimate, { db: processes[i % processes.length] })),
    )
    const reserved = results.flatMap((r) =>
      r.status === 'fulfilled' && r.value.status === 'reserved' ? [r.value.remainingMicros] : [],
    )
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'QUOTA_EXCEEDED',
    )
    expect(reserved).toHaveLength(fits)
    expect(refused).toHaveLength(50 - fits)
    // Each admitted call saw the ones before it: the remainders step down by one estimate.
    expect(reserved.sort((a, b) => b - a)).toEqual(
      Array.from({ length: fits }, (_, i) => FREE - 500_000 - (i + 1) * estimate),
    )
    expect(await reservationsOf(ws)).toHaveLength(fits)
  })

  test('the refusal says how much is left and reserves nothing', async () => {
    const ws = await newWorkspace()
    await reserve(ws, FREE - 1500)
    const error = await expectQuotaExceeded(reserve(ws, 5000))
    expect(error.message).toContain('0.001500 of 2.000000 remains')
    expect(error.message).toContain('0.005000')
    expect(await reservationsOf(ws)).toHaveLength(1)
  })

  test('settling below the estimate frees the difference for later calls', async () => {
    const ws = await newWorkspace()
    const a = randomUUID()
    const b = randomUUID()
    await reserve(ws, 1_000_000, { id: a })
    await reserve(ws, 1_000_000, { id: b })
    await expectQuotaExceeded(reserve(ws, 1_000_000))

    await recordUsage(h.db, event(ws, { generationId: a, costMicros: 100_000 }))
    await recordUsage(h.db, event(ws, { generationId: b, costMicros: 100_000 }))
    expect(await reservationsOf(ws)).toHaveLength(0)

    expect(await reserve(ws, 1_000_000)).toEqual({ status: 'reserved', remainingMicros: 800_000 })
    await expectQuotaExceeded(reserve(ws, 800_001))
    expect(await reserve(ws, 800_000)).toEqual({ status: 'reserved', remainingMicros: 0 })
  })

  test('a call that costs more than it reserved still counts in full', async () => {
    const ws = await newWorkspace()
    const id = randomUUID()
    await reserve(ws, 100_000, { id })
    await recordUsage(h.db, event(ws, { generationId: id, costMicros: FREE + 1 }))
    const error = await expectQuotaExceeded(reserve(ws, 1))
    expect(error.message).toContain('0.000000 of 2.000000 remains')
  })

  test('releasing a reservation frees its budget, once', async () => {
    const ws = await newWorkspace()
    const id = randomUUID()
    await reserve(ws, FREE, { id })
    await expectQuotaExceeded(reserve(ws, 1))
    expect(await releaseReservation(h.db, id)).toBe(true)
    expect(await releaseReservation(h.db, id)).toBe(false)
    expect(await reserve(ws, FREE)).toEqual({ status: 'reserved', remainingMicros: 0 })
  })

  test('an expired reservation no longer counts, and can be taken over by a retry', async () => {
    const ws = await newWorkspace()
    const crashed = randomUUID()
    await reserve(ws, 1_500_000, { id: crashed, ttlMs: 60_000 })
    const at = (ms: number) => new Date(NOW.getTime() + ms)

    await expectQuotaExceeded(reserve(ws, 1_000_000, { now: at(59_999) }))
    // expires_at is exclusive: at that instant the budget is free again.
    const later = await reserve(ws, 1_000_000, { now: at(60_000), ttlMs: HOUR })
    expect(later).toEqual({ status: 'reserved', remainingMicros: 1_000_000 })

    // A retry under the crashed call's id reserves anew rather than riding on the dead reservation.
    expect(await reserve(ws, 500_000, { id: crashed, now: at(60_000) })).toEqual({
      status: 'reserved',
      remainingMicros: 500_000,
    })
    const [row] = await h.db.select().from(usageReservation).where(eq(usageReservation.id, crashed))
    expect(row.amountMicros).toBe(500_000)
    expect(row.expiresAt.getTime()).toBe(at(60_000 + HOUR).getTime())
  })

  test('deleteExpiredReservations removes only expired rows', async () => {
    const ws = await newWorkspace()
    const short = randomUUID()
    const long = randomUUID()
    await reserve(ws, 10, { id: short, ttlMs: 1000 })
    await reserve(ws, 10, { id: long, ttlMs: 10_000 })
    const deleted = await deleteExpiredReservations(h.db, new Date(NOW.getTime() + 1000))
    expect(deleted).toBeGreaterThanOrEqual(1)
    expect(await countRows(usageReservation, short)).toBe(0)
    expect(await countRows(usageReservation, long)).toBe(1)
  })

  test('a plan change raises the budget at once', async () => {
    const ws = await newWorkspace()
    await reserve(ws, FREE)
    await expectQuotaExceeded(reserve(ws, 1_000_000))
    await setPlan(h, ws, 'pro')
    expect(await reserve(ws, 1_000_000)).toEqual({ status: 'reserved', remainingMicros: PRO - FREE - 1_000_000 })
  })

  test('only the current calendar month (UTC) counts', async () => {
    const ws = await newWorkspace()
    // Last millisecond of May: spent last month, not this one.
    await recordUsage(h.db, event(ws, { costMicros: FREE, endedAt: new Date('2025-05-31T23:59:59.999Z') }))
    // First millisecond of July: next month's.
    await recordUsage(h.db, event(ws, { costMicros: FREE, endedAt: new Date('2025-07-01T00:00:00.000Z') }))
    expect(await reserve(ws, FREE)).toEqual({ status: 'reserved', remainingMicros: 0 })
    await releaseReservation(h.db, (await reservationsOf(ws))[0].id)

    // The first and the last millisecond of June both count.
    await recordUsage(h.db, event(ws, { costMicros: 1, endedAt: new Date('2025-06-01T00:00:00.000Z') }))
    await recordUsage(h.db, event(ws, { costMicros: 2, endedAt: new Date('2025-06-30T23:59:59.999Z') }))
    await expectQuotaExceeded(reserve(ws, FREE - 2))
    expect(await reserve(ws, FREE - 3)).toEqual({ status: 'reserved', remainingMicros: 0 })

    // On July 1st the June events stop counting and the July one starts.
    const july = new Date('2025-07-01T00:00:00.000Z')
    await expectQuotaExceeded(reserve(ws, 1, { now: july }))
  })

  test('another workspace’s usage never counts toward this one', async () => {
    const [a, b] = await Promise.all([newWorkspace(), newWorkspace()])
    await recordUsage(h.db, event(a, { costMicros: FREE }))
    await reserve(a, 0)
    await expectQuotaExceeded(reserve(a, 1))
    expect(await reserve(b, FREE)).toEqual({ status: 'reserved', remainingMicros: 0 })
    const summary = await getUsageSummary(h.db, { workspaceId: b, ...currentPeriod(NOW), now: NOW })
    expect(summary.totals).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 })
    expect(summary.spentMicros).toBe(0)
    expect(summary.reservedMicros).toBe(FREE)
  })

  test('an unknown workspace is NOT_FOUND; bad amounts are BAD_REQUEST', async () => {
    await expect(reserve(randomUUID(), 1)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    const ws = await newWorkspace()
    for (const amount of [-1, 1.5, Number.NaN, 2 ** 60])
      await expect(reserve(ws, amount)).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    await expect(reserve(ws, 1, { ttlMs: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    expect(await reservationsOf(ws)).toHaveLength(0)
  })
})

describe('idempotency by generation id', () => {
  test('reserving one generation twice holds the budget once', async () => {
    const ws = await newWorkspace()
    const id = randomUUID()
    // Once as the only call of a statement, then 19 times in one statement
    // together (another call goes first, so these queue up behind it), then
    // from the other processes.
    const [, ...results] = await Promise.all([
      reserve(ws, 0),
      ...Array.from({ length: 19 }, () => reserve(ws, 1_000_000, { id })),
      ...processes.map((db) => reserve(ws, 1_000_000, { id, db })),
    ])
    expect(results.filter((r) => r.status === 'reserved')).toHaveLength(1)
    expect(results.filter((r) => r.status === 'exists')).toHaveLength(results.length - 1)
    expect(await countRows(usageReservation, id)).toBe(1)
    // Only one million is held, so another million still fits.
    expect(await reserve(ws, 1_000_000)).toEqual({ status: 'reserved', remainingMicros: 0 })
  })

  test('recording one generation twice records it once', async () => {
    const ws = await newWorkspace()
    const id = randomUUID()
    await reserve(ws, 500_000, { id })
    const input = event(ws, { generationId: id, costMicros: 300_000 })
    // As in the test above: 20 of them in one statement, and more from the other processes.
    const [, ...results] = await Promise.all([
      recordUsage(h.db, event(ws, { costMicros: 0 })),
      ...Array.from({ length: 20 }, () => recordUsage(h.db, input)),
      ...processes.map((db) => recordUsage(db, input)),
    ])
    expect(results.filter((r) => r.recorded)).toHaveLength(1)
    expect(await countRows(usageEvent, id)).toBe(1)
    expect(await countRows(usageReservation, id)).toBe(0)
    expect(await recordUsage(h.db, { ...input, costMicros: 999 })).toEqual({ recorded: false })

    // A settled generation cannot be reserved again, and was charged once.
    expect(await reserve(ws, 1_000_000, { id })).toEqual({ status: 'exists' })
    expect(await countRows(usageReservation, id)).toBe(0)
    const summary = await getUsageSummary(h.db, { workspaceId: ws, ...currentPeriod(NOW), now: NOW })
    expect(summary.spentMicros).toBe(300_000)
    expect(summary.totals.calls).toBe(2) // this one and the free call that went first
  })

  test('a call settled while its workspace is being deleted is NOT_FOUND, not an FK error', async () => {
    const ws = await newWorkspace()
    const id = randomUUID()
    await reserve(ws, 10, { id })
    await recordUsage(h.db, event(ws))
    await h.db.delete(workspace).where(eq(workspace.id, ws))
    // The cascade took the workspace's events and reservations with it.
    expect(await countRows(usageReservation, id)).toBe(0)
    await expect(recordUsage(h.db, event(ws, { generationId: id }))).rejects.toMatchObject({ code: 'NOT_FOUND' })
    expect(await countRows(usageEvent, id)).toBe(0)
  })

  test('in a burst of settlements, one for a deleted workspace fails alone', async () => {
    const [ws, gone] = await Promise.all([newWorkspace(), newWorkspace()])
    await h.db.delete(workspace).where(eq(workspace.id, gone))
    const inputs = [event(ws), event(ws), event(gone), event(ws), event(ws)]
    const results = await Promise.allSettled(inputs.map((e) => recordUsage(h.db, e)))
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.recorded : (r.reason as AppError).code))).toEqual([
      true,
      true,
      'NOT_FOUND',
      true,
      true,
    ])
    const [{ n }] = await h.db.select({ n: count() }).from(usageEvent).where(eq(usageEvent.workspaceId, ws))
    expect(n).toBe(4)
  })
})

describe('batched reservations', () => {
  test('a burst mixing workspaces and outcomes answers each call on its own, in arrival order', async () => {
    const [a, b] = await Promise.all([newWorkspace(), newWorkspace()])
    const dup = randomUUID()
    const results = await Promise.allSettled([
      reserve(a, FREE - 10),
      reserve(a, 11),
      reserve(a, 10),
      reserve(b, 5, { id: dup }),
      reserve(b, 5, { id: dup }),
      reserve(randomUUID(), 1),
      reserve(b, FREE),
      reserve(b, FREE - 5),
    ])
    expect(
      results.map((r) =>
        r.status === 'rejected'
          ? (r.reason as AppError).code
          : r.value.status === 'reserved'
            ? r.value.remainingMicros
            : r.value.status,
      ),
    ).toEqual([10, 'QUOTA_EXCEEDED', 0, FREE - 5, 'exists', 'NOT_FOUND', 'QUOTA_EXCEEDED', 0])
    expect(await reservationsOf(a)).toHaveLength(2)
    expect(await reservationsOf(b)).toHaveLength(2)
  })
})

describe('the daily rollup behind the quota', () => {
  /** What usage_reserve counts as spent in [from, to), probed with a reservation of 0. */
  async function spentPerQuota(workspaceId: string, from: Date, to: Date) {
    const items = [
      { id: randomUUID(), workspaceId, userId: owner.user!.id, amountMicros: 0, expiresAt: NOW.toISOString() },
    ]
    const [row] = await h.db
      .select({ status: sql<string>`result_status`, available: sql`available_micros`.mapWith(Number) })
      .from(
        sql`usage_reserve(${JSON.stringify(items)}::jsonb, ${NOW.toISOString()}::timestamptz,
          ${from.toISOString()}::timestamptz, ${to.toISOString()}::timestamptz, '{}'::jsonb, ${FREE}::bigint)`,
      )
    expect(row.status).toBe('reserved')
    return FREE - row.available
  }

  test('agrees with the events, retries and all', async () => {
    const ws = await newWorkspace()
    const inputs = [
      event(ws, { costMicros: 5, endedAt: new Date('2025-06-01T00:00:00.000Z') }),
      event(ws, { costMicros: 7, endedAt: new Date('2025-06-01T23:59:59.999Z') }),
      event(ws, { costMicros: 11, endedAt: new Date('2025-06-02T00:00:00.000Z') }),
      event(ws, { costMicros: 13, endedAt: new Date('2025-05-31T23:59:59.999Z') }),
    ]
    await Promise.all([...inputs, ...inputs].map((e) => recordUsage(h.db, e)))
    await recordUsage(h.db, inputs[0])
    const rows = await h.db
      .select({ day: usageDaily.day, costMicros: usageDaily.costMicros })
      .from(usageDaily)
      .where(eq(usageDaily.workspaceId, ws))
      .orderBy(usageDaily.day)
    expect(rows).toEqual([
      { day: '2025-05-31', costMicros: 13 },
      { day: '2025-06-01', costMicros: 12 },
      { day: '2025-06-02', costMicros: 11 },
    ])
  })

  test('follows events written or removed by other means than recordUsage', async () => {
    const ws = await newWorkspace()
    const { generationId, ...row } = event(ws, { costMicros: FREE })
    await h.db.insert(usageEvent).values({ id: generationId, ...row })
    await expectQuotaExceeded(reserve(ws, 1))
    await h.db
      .update(usageEvent)
      .set({ costMicros: FREE - 5 })
      .where(eq(usageEvent.id, generationId))
    expect(await reserve(ws, 5)).toEqual({ status: 'reserved', remainingMicros: 0 })
    await h.db.delete(usageEvent).where(eq(usageEvent.id, generationId))
    expect(await reserve(ws, FREE - 5)).toEqual({ status: 'reserved', remainingMicros: 0 })
  })

  test('a period not on day boundaries counts its partial days from the events', async () => {
    const ws = await newWorkspace()
    const at = (iso: string, costMicros: number) => event(ws, { costMicros, endedAt: new Date(iso) })
    for (const e of [
      at('2025-06-10T11:59:59.999Z', 1000),
      at('2025-06-10T12:00:00.000Z', 1),
      at('2025-06-15T08:00:00.000Z', 10),
      at('2025-06-20T05:59:59.999Z', 100),
      at('2025-06-20T06:00:00.000Z', 2000),
    ])
      await recordUsage(h.db, e)
    expect(await spentPerQuota(ws, new Date('2025-06-10T12:00:00Z'), new Date('2025-06-20T06:00:00Z'))).toBe(111)
    // Within a single day: no whole day at all.
    expect(await spentPerQuota(ws, new Date('2025-06-10T06:00:00Z'), new Date('2025-06-10T18:00:00Z'))).toBe(1000 + 1)
    // Exactly whole days.
    expect(await spentPerQuota(ws, new Date('2025-06-11T00:00:00Z'), new Date('2025-06-20T00:00:00Z'))).toBe(10)
  })
})

describe('getUsageSummary', () => {
  const ZERO: UsageTotals = { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 }
  const add = (t: UsageTotals, e: RecordUsageInput): UsageTotals => ({
    calls: t.calls + 1,
    inputTokens: t.inputTokens + e.inputTokens,
    outputTokens: t.outputTokens + e.outputTokens,
    costMicros: t.costMicros + e.costMicros,
  })
  function sumBy(events: RecordUsageInput[], key: (e: RecordUsageInput) => string) {
    const out = new Map<string, UsageTotals>()
    for (const e of events) out.set(key(e), add(out.get(key(e)) ?? ZERO, e))
    return out
  }

  /** A workspace with three members and events spread over people, models and days, some out of range. */
  async function seeded() {
    const ws = await newWorkspace()
    const [alice, bob] = await Promise.all([signUp(h, 'Alice'), signUp(h, 'Bob')])
    await addMember(h, ws, alice.user!.id, 'member')
    await addMember(h, ws, bob.user!.id, 'member')
    const people = [owner, alice, bob].map((c) => c.user!)
    const models = ['gpt-4o-mini', 'claude-haiku', 'demo']
    const from = new Date('2025-06-03T00:00:00.000Z')
    const to = new Date('2025-06-10T00:00:00.000Z')

    // Deterministic spread: every member, model and several days, odd costs.
    const inRange: RecordUsageInput[] = Array.from({ length: 60 }, (_, i) =>
      event(ws, {
        userId: people[i % 3].id,
        model: models[(i * 7) % 3],
        kind: i % 5 === 0 ? 'title' : 'answer',
        inputTokens: 10 + i * 13,
        outputTokens: 3 + ((i * 31) % 97),
        costMicros: 1 + ((i * 7919) % 20_000),
        endedAt: new Date(from.getTime() + ((i * 104_729_111) % (to.getTime() - from.getTime()))),
      }),
    )
    inRange.push(event(ws, { userId: bob.user!.id, endedAt: from, costMicros: 77 }))
    inRange.push(event(ws, { userId: alice.user!.id, endedAt: new Date(to.getTime() - 1), costMicros: 88 }))
    const outOfRange = [
      event(ws, { endedAt: new Date(from.getTime() - 1), costMicros: 1_000 }),
      event(ws, { endedAt: to, costMicros: 2_000 }),
    ]
    const other = await newWorkspace()
    const elsewhere = event(other, { endedAt: new Date('2025-06-05T00:00:00.000Z'), costMicros: 3_000 })
    for (const e of [...inRange, ...outOfRange, elsewhere])
      expect(await recordUsage(h.db, e)).toEqual({ recorded: true })
    return { ws, people, from, to, inRange, outOfRange, alice, bob }
  }

  test('totals and breakdowns equal the sums of the events in range', async () => {
    const s = await seeded()
    const summary = await getUsageSummary(h.db, { workspaceId: s.ws, from: s.from, to: s.to, now: NOW })

    expect(summary.from).toBe('2025-06-03T00:00:00.000Z')
    expect(summary.to).toBe('2025-06-10T00:00:00.000Z')
    expect(summary.totals).toEqual(s.inRange.reduce(add, ZERO))
    expect(summary.totals.calls).toBe(62)

    const byMember = sumBy(s.inRange, (e) => e.userId)
    expect(summary.byMember).toHaveLength(3)
    for (const m of summary.byMember) {
      const person = s.people.find((p) => p.id === m.userId)!
      expect(m).toEqual({ userId: person.id, name: person.name, email: person.email, ...byMember.get(m.userId) })
    }
    expect(summary.byMember.map((m) => m.costMicros)).toEqual(
      [...byMember.values()].map((t) => t.costMicros).sort((a, b) => b - a),
    )

    const byModel = sumBy(s.inRange, (e) => e.model)
    expect(new Map(summary.byModel.map(({ model, ...t }) => [model, t]))).toEqual(byModel)

    const byDay = sumBy(s.inRange, (e) => e.endedAt.toISOString().slice(0, 10))
    expect(summary.byDay.map((d) => d.day)).toEqual([...byDay.keys()].sort())
    expect(summary.byDay.map((d) => d.day)).toEqual([
      '2025-06-03',
      '2025-06-04',
      '2025-06-05',
      '2025-06-06',
      '2025-06-07',
      '2025-06-08',
      '2025-06-09',
    ])
    for (const { day, ...t } of summary.byDay) expect(t).toEqual(byDay.get(day))

    // The budget side covers the whole of June, out-of-range events included, and this workspace only.
    const june = [...s.inRange, ...s.outOfRange].reduce((n, e) => n + e.costMicros, 0)
    expect(summary.period).toEqual({ from: '2025-06-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z' })
    expect(summary.budgetMicros).toBe(FREE)
    expect(summary.spentMicros).toBe(june)
    expect(summary.reservedMicros).toBe(0)
    expect(summary.remainingMicros).toBe(FREE - june)
  })

  test('a member filter narrows the figures, not the budget', async () => {
    const s = await seeded()
    await reserve(s.ws, 12_345)
    const all = await getUsageSummary(h.db, { workspaceId: s.ws, from: s.from, to: s.to, now: NOW })
    const bob = s.bob.user!
    const mine = await getUsageSummary(h.db, { workspaceId: s.ws, from: s.from, to: s.to, userId: bob.id, now: NOW })
    const bobs = s.inRange.filter((e) => e.userId === bob.id)

    expect(mine.totals).toEqual(bobs.reduce(add, ZERO))
    expect(mine.totals.costMicros).toBeLessThan(all.totals.costMicros)
    expect(mine.byMember).toEqual([{ userId: bob.id, name: bob.name, email: bob.email, ...mine.totals }])
    expect(new Map(mine.byModel.map(({ model, ...t }) => [model, t]))).toEqual(sumBy(bobs, (e) => e.model))
    expect(new Map(mine.byDay.map(({ day, ...t }) => [day, t]))).toEqual(
      sumBy(bobs, (e) => e.endedAt.toISOString().slice(0, 10)),
    )
    for (const key of ['budgetMicros', 'spentMicros', 'reservedMicros', 'remainingMicros'] as const)
      expect(mine[key]).toBe(all[key])
    expect(mine.reservedMicros).toBe(12_345)
  })

  test('usage outlives the member’s account', async () => {
    const s = await seeded()
    const alice = s.alice.user!
    await h.db.delete(user).where(eq(user.id, alice.id))
    const summary = await getUsageSummary(h.db, { workspaceId: s.ws, from: s.from, to: s.to, now: NOW })
    expect(summary.totals).toEqual(s.inRange.reduce(add, ZERO))
    const row = summary.byMember.find((m) => m.userId === alice.id)
    expect(row).toMatchObject({ name: null, email: null, calls: s.inRange.filter((e) => e.userId === alice.id).length })
  })

  test('an empty range answers zeros', async () => {
    const ws = await newWorkspace()
    const summary = await getUsageSummary(h.db, { workspaceId: ws, ...currentPeriod(NOW), now: NOW })
    expect(summary).toMatchObject({
      totals: ZERO,
      byMember: [],
      byModel: [],
      byDay: [],
      budgetMicros: FREE,
      remainingMicros: FREE,
    })
  })

  test('an unknown workspace is NOT_FOUND', async () => {
    await expect(
      getUsageSummary(h.db, { workspaceId: randomUUID(), ...currentPeriod(NOW), now: NOW }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})

describe('currentPeriod and usageQuery', () => {
  test('the period is the UTC calendar month, across year ends and leap days', () => {
    const iso = (p: { from: Date; to: Date }) => [p.from.toISOString(), p.to.toISOString()]
    expect(iso(currentPeriod(new Date('2024-12-31T23:59:59.999Z')))).toEqual([
      '2024-12-01T00:00:00.000Z',
      '2025-01-01T00:00:00.000Z',
    ])
    expect(iso(currentPeriod(new Date('2024-02-29T12:00:00Z')))).toEqual([
      '2024-02-01T00:00:00.000Z',
      '2024-03-01T00:00:00.000Z',
    ])
    // 23:30 on the 31st in New York is already the 1st in UTC.
    expect(iso(currentPeriod(new Date('2025-03-31T23:30:00-04:00')))).toEqual([
      '2025-04-01T00:00:00.000Z',
      '2025-05-01T00:00:00.000Z',
    ])
  })

  test('missing bounds default to the current period', () => {
    const q = parseInput(usageQuery, {})
    expect(q).toEqual(currentPeriod())
    expect(parseInput(usageQuery, { from: '', to: '' })).toEqual(currentPeriod())
  })

  test('dates and timestamps are accepted; userId passes through', () => {
    expect(parseInput(usageQuery, { from: '2025-01-01', to: '2025-01-02T06:00:00+02:00', userId: 'u1' })).toEqual({
      from: new Date('2025-01-01T00:00:00.000Z'),
      to: new Date('2025-01-02T04:00:00.000Z'),
      userId: 'u1',
    })
    // 366 days is the most a range may cover.
    expect(parseInput(usageQuery, { from: '2024-01-01', to: '2025-01-01' }).to.toISOString()).toBe(
      '2025-01-01T00:00:00.000Z',
    )
  })

  test.each([
    [{ from: '2025-02-01', to: '2025-02-01' }, 'to', /after/],
    [{ from: '2025-02-02', to: '2025-02-01' }, 'to', /after/],
    [{ from: '2024-01-01', to: '2025-01-01T00:00:00.001Z' }, 'to', /366 days/],
    [{ from: 'yesterday' }, 'from', /ISO/],
    [{ to: '2025-02-30' }, 'to', /ISO/],
    [{ from: '2025-01-01T00:00:00' }, 'from', /ISO/],
  ])('%j is refused on %s', (input, field, message) => {
    let error: unknown
    try {
      parseInput(usageQuery, input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('BAD_REQUEST')
    expect((error as AppError).fields?.[field]).toMatch(message)
  })
})
