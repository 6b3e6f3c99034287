import Stripe from 'stripe'
import { expireGracePeriods } from '../../../db/billing'
import { claimMeterRows, markMeterRowFailed, markMeterRowSent, type MeterOutboxRow } from '../../../db/meter-outbox'
import type { BillingDeps } from './deps'
import { reconcileSeats } from './seats'

export interface MeterReporterOptions {
  /** How often the outbox is polled when idle, ms. */
  intervalMs?: number
  /** Rows claimed per round. */
  batch?: number
  /** How long a claimed row is left to its reporter before another may take it, ms. */
  leaseMs?: number
  /** How often grace periods and seats are looked at, ms: each is a scan of the billed workspaces. */
  housekeepingMs?: number
  logger?: { warn(msg: string, data?: Record<string, unknown>): void }
  /** Tests: runs after a row was sent and before it is marked (a crash injected there). */
  afterSend?: (row: MeterOutboxRow) => void | Promise<void>
}

/** The meter event's identifier: derived from the usage event, so a resend is recognised by Stripe. */
export const meterIdentifier = (row: Pick<MeterOutboxRow, 'id'>) => `usage-${row.id}`

/** Retry after 2^attempts seconds, at most an hour. */
export const backoffMs = (attempts: number) => Math.min(3_600_000, 1000 * 2 ** Math.min(attempts, 12))

/**
 * Reports overage from the meter outbox to Stripe's Billing Meter: claims
 * due rows, sends each as a meter event with an identifier derived from its
 * usage event, marks it sent. A failed send is retried with backoff; a crash
 * between send and mark resends the same identifier, which Stripe refuses
 * as a duplicate, and that counts as sent. Once a minute it also ends the
 * grace period of workspaces whose payment failed long enough ago, and sets
 * seat-priced subscriptions to their member count.
 */
export function createMeterReporter(deps: BillingDeps, opts: MeterReporterOptions = {}) {
  const intervalMs = opts.intervalMs ?? 5_000
  const batch = opts.batch ?? 100
  const leaseMs = opts.leaseMs ?? 60_000
  const housekeepingMs = opts.housekeepingMs ?? 60_000
  let housekept = -Infinity
  let timer: NodeJS.Timeout | null = null
  let running: Promise<number> | null = null
  let stopped = false

  const send = async (row: MeterOutboxRow) => {
    try {
      await deps.stripe.billing.meterEvents.create({
        event_name: deps.meterEventName,
        identifier: meterIdentifier(row),
        payload: { stripe_customer_id: row.stripeCustomerId, value: String(row.valueMicros) },
        timestamp: Math.floor(row.occurredAt.getTime() / 1000),
      })
    } catch (error) {
      if (!isDuplicate(error)) throw error
    }
    await opts.afterSend?.(row)
    await markMeterRowSent(deps.db, row.id)
  }

  /** One round: sends what is due; resolves with the number of rows sent. */
  const runOnce = async (): Promise<number> => {
    if (performance.now() - housekept >= housekeepingMs) {
      housekept = performance.now()
      await expireGracePeriods(deps.db)
      await reconcileSeats(deps).catch((error: unknown) =>
        opts.logger?.warn('seats not reconciled', { error: String(error) }),
      )
    }
    let sent = 0
    for (;;) {
      const rows = await claimMeterRows(deps.db, { limit: batch, leaseMs })
      for (const row of rows) {
        try {
          await send(row)
          sent++
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          opts.logger?.warn('meter event not sent', { id: row.id, attempts: row.attempts, error: reason })
          await markMeterRowFailed(deps.db, row.id, reason, new Date(Date.now() + backoffMs(row.attempts)))
        }
      }
      if (rows.length < batch) return sent
    }
  }

  const tick = () => {
    if (stopped) return
    running = runOnce()
    void running
      .catch((error: unknown) => opts.logger?.warn('meter reporter round failed', { error: String(error) }))
      .finally(() => {
        running = null
        if (!stopped) timer = setTimeout(tick, intervalMs)
      })
  }

  return {
    runOnce,
    start() {
      stopped = false
      timer ??= setTimeout(tick, 0)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      await running?.catch(() => undefined)
    },
  }
}

export type MeterReporter = ReturnType<typeof createMeterReporter>

/** Stripe refuses a meter event whose identifier it has seen (400, "An event already exists with identifier …"): it was sent before. */
function isDuplicate(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError && /already exists with identifier/i.test(error.message)
  )
}
