import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'
import { user } from './auth'

/** better-auth's `organization`, renamed: a workspace is the unit of isolation. */
export const workspace = pgTable(
  'workspace',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull().unique(),
    logo: text('logo'),
    metadata: text('metadata'),
    isPersonal: boolean('is_personal').notNull().default(false),
    ownerId: text('owner_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    /**
     * The plan whose limits apply now: the subscribed plan, or free (see
     * effectivePlan in shared/billing.ts). Every limit reads this column;
     * only billing (db/billing.ts) writes it.
     */
    plan: text('plan').notNull().default('free'),
    /** The model answers use when neither chat, sidekiq nor member picked one (catalog id). */
    defaultModel: text('default_model'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    // Billing, as Stripe last reported it (db/billing.ts). The workspace is the Stripe customer.
    stripeCustomerId: text('stripe_customer_id').unique(),
    stripeSubscriptionId: text('stripe_subscription_id'),
    /** The paid plan subscribed to; null without a subscription. */
    billingPlan: text('billing_plan'),
    billingStatus: text('billing_status').notNull().default('none'),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }),
    cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
    pastDueSince: timestamp('past_due_since', { withTimezone: true }),
    /** Seats the subscription was last set to (seat-priced plans); the billing worker keeps it at the member count. */
    billedSeats: integer('billed_seats'),
    /** Usage included in the plan that applies now, micro-units: overage is what goes beyond it. */
    includedUsageMicros: bigint('included_usage_micros', { mode: 'number' }).notNull().default(2_000_000),
  },
  (t) => [
    index('workspace_owner_id_idx').on(t.ownerId),
    // Exactly one personal workspace per user, held by the database itself.
    uniqueIndex('workspace_one_personal_per_user')
      .on(t.ownerId)
      .where(sql`${t.isPersonal}`),
  ],
)

export const member = pgTable(
  'workspace_member',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    /** This member's preferred model in this workspace, above the workspace's default. */
    defaultModel: text('default_model'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('workspace_member_workspace_id_idx').on(t.workspaceId),
    index('workspace_member_user_id_idx').on(t.userId),
    // One membership per user and workspace, whatever races above us.
    uniqueIndex('workspace_member_unique').on(t.workspaceId, t.userId),
  ],
)

export const invitation = pgTable(
  'workspace_invitation',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role').notNull(),
    status: text('status').notNull().default('pending'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    inviterId: text('inviter_id')
      .notNull()
      .references(() => user.id, { onDelete: 'cascade' }),
  },
  (t) => [
    index('workspace_invitation_workspace_id_idx').on(t.workspaceId),
    index('workspace_invitation_email_idx').on(t.email),
    // At most one pending invitation per email and workspace.
    uniqueIndex('workspace_invitation_one_pending')
      .on(t.workspaceId, t.email)
      .where(sql`${t.status} = 'pending'`),
  ],
)
