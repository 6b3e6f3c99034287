import { sql } from 'drizzle-orm'
import { bigint, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { workspace } from './workspace'

/**
 * Stripe events already applied, by event id: a webhook delivered twice
 * changes nothing the second time. Written in the same transaction as the
 * change the event made.
 */
export const stripeEvent = pgTable('stripe_event', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  workspaceId: text('workspace_id'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
})

/**
 * Overage waiting to be reported to Stripe's meter: one row per usage event
 * that went beyond the plan's included usage, written with the event itself
 * (trigger in migration 0005), so nothing is lost across restarts. The row
 * id is the usage event's id, and the meter event's identifier is derived
 * from it, so a resend after a crash between send and mark bills nothing twice.
 */
export const meterOutbox = pgTable(
  'meter_outbox',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    stripeCustomerId: text('stripe_customer_id').notNull(),
    valueMicros: bigint('value_micros', { mode: 'number' }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    index('meter_outbox_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.sentAt} is null`),
  ],
)
