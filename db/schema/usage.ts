import { sql } from 'drizzle-orm'
import { bigint, check, date, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { workspace } from './workspace'

export const USAGE_KINDS = ['answer', 'title'] as const
export type UsageKind = (typeof USAGE_KINDS)[number]

export const USAGE_OUTCOMES = ['done', 'stopped', 'error', 'aborted'] as const
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number]

/**
 * One settled model call. The primary key is the generation id, so a retried
 * settlement inserts nothing the second time (see db/usage.ts).
 */
export const usageEvent = pgTable(
  'usage_event',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    // No foreign key: the workspace was charged for the call whether or not
    // the member's account still exists, so the row outlives the user.
    userId: text('user_id').notNull(),
    chatId: text('chat_id'),
    kind: text('kind').$type<UsageKind>().notNull(),
    model: text('model').notNull(),
    inputTokens: integer('input_tokens').notNull(),
    outputTokens: integer('output_tokens').notNull(),
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true }).notNull(),
    outcome: text('outcome').$type<UsageOutcome>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Serves both the quota's "spent this period" sum and the summary's range scans.
    index('usage_event_workspace_id_ended_at_idx').on(t.workspaceId, t.endedAt),
    check('usage_event_kind_check', sql`${t.kind} in ('answer', 'title')`),
    check('usage_event_outcome_check', sql`${t.outcome} in ('done', 'stopped', 'error', 'aborted')`),
    check('usage_event_amounts_check', sql`${t.costMicros} >= 0 and ${t.inputTokens} >= 0 and ${t.outputTokens} >= 0`),
  ],
)

/**
 * Budget held by a call in flight, from the quota check until it is settled
 * into a `usage_event` (or released). Rows past `expires_at` no longer count,
 * so a process that dies mid-call cannot hold a workspace's budget forever.
 */
export const usageReservation = pgTable(
  'usage_reservation',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    amountMicros: bigint('amount_micros', { mode: 'number' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('usage_reservation_workspace_id_idx').on(t.workspaceId),
    check('usage_reservation_amount_check', sql`${t.amountMicros} >= 0`),
  ],
)

/**
 * Settled cost per workspace and UTC day, kept in step with `usage_event` by
 * triggers on it (migration 0003), whatever writes the events. The quota
 * check adds up at most a month of these rows instead of every event of the
 * period: summing 200,000 events took 56-300 ms, under the workspace's lock.
 */
export const usageDaily = pgTable(
  'usage_daily',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    costMicros: bigint('cost_micros', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.day] })],
)
