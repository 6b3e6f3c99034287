import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from './client'
import { meterOutbox } from './schema'

/**
 * The meter outbox's side in the database: rows are written with the usage
 * they bill (trigger, migration 0005); a reporter claims due rows, sends
 * them to Stripe, and marks them. A claim leases the rows for a while, so
 * two reporters (two nodes) do not send the same row at once; a reporter
 * that dies mid-send leaves its rows to be claimed again once the lease
 * runs out, and the resend carries the same identifier.
 */
export interface MeterOutboxRow {
  id: string
  workspaceId: string
  stripeCustomerId: string
  valueMicros: number
  occurredAt: Date
  attempts: number
}

/** Claims up to `limit` due rows for `leaseMs`, oldest first. */
export async function claimMeterRows(
  db: Db,
  opts: { limit: number; leaseMs: number; now?: Date },
): Promise<MeterOutboxRow[]> {
  const now = opts.now ?? new Date()
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: meterOutbox.id })
      .from(meterOutbox)
      .where(and(isNull(meterOutbox.sentAt), lte(meterOutbox.nextAttemptAt, now)))
      .orderBy(asc(meterOutbox.nextAttemptAt), asc(meterOutbox.id))
      .limit(opts.limit)
      .for('update', { skipLocked: true })
    if (!due.length) return []
    return tx
      .update(meterOutbox)
      .set({
        attempts: sql`${meterOutbox.attempts} + 1`,
        nextAttemptAt: new Date(now.getTime() + opts.leaseMs),
      })
      .where(
        inArray(
          meterOutbox.id,
          due.map((d) => d.id),
        ),
      )
      .returning({
        id: meterOutbox.id,
        workspaceId: meterOutbox.workspaceId,
        stripeCustomerId: meterOutbox.stripeCustomerId,
        valueMicros: meterOutbox.valueMicros,
        occurredAt: meterOutbox.occurredAt,
        attempts: meterOutbox.attempts,
      })
  })
}

export async function markMeterRowSent(db: Db, id: string, now: Date = new Date()): Promise<void> {
  await db.update(meterOutbox).set({ sentAt: now, lastError: null }).where(eq(meterOutbox.id, id))
}

/** Leaves the row for a later attempt at `retryAt`, with the reason. */
export async function markMeterRowFailed(db: Db, id: string, error: string, retryAt: Date): Promise<void> {
  await db
    .update(meterOutbox)
    .set({ lastError: error.slice(0, 500), nextAttemptAt: retryAt })
    .where(and(eq(meterOutbox.id, id), isNull(meterOutbox.sentAt)))
}

/** Rows not yet sent (for the billing page's health and for tests). */
export async function pendingMeterRows(db: Db): Promise<number> {
  const [row] = await db
    .select({ n: sql`count(*)`.mapWith(Number) })
    .from(meterOutbox)
    .where(isNull(meterOutbox.sentAt))
  return row?.n ?? 0
}
