import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { workspace } from './workspace'

/**
 * Every email the app sends, kept whether or not SMTP is configured: without
 * SMTP it is the only delivery (the dev outbox page reads it).
 */
export const mailOutbox = pgTable(
  'mail_outbox',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').references(() => workspace.id, { onDelete: 'cascade' }),
    to: text('to').notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html'),
    /** 'logged' (no SMTP), 'sent', or 'failed'. */
    status: text('status').notNull(),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('mail_outbox_workspace_id_idx').on(t.workspaceId), index('mail_outbox_to_idx').on(t.to)],
)
