import { bigint, bigserial, customType, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core'
import { workspace } from './workspace'

/** Yjs state is opaque bytes to the database. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array | Buffer }>({
  dataType: () => 'bytea',
  toDriver: (value) => (typeof Buffer !== 'undefined' ? Buffer.from(value) : value),
  fromDriver: (value) => new Uint8Array(value),
})

/**
 * Every accepted update of a room, appended before it is broadcast. The log
 * is folded into `room_snapshot` from time to time (see db/room-storage.ts).
 */
export const roomUpdate = pgTable(
  'room_update',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    room: text('room').notNull(),
    // No foreign key: the check locks the workspace row on every append, and
    // concurrent appends to one workspace then queue on that lock (p99 of an
    // append went from 4 ms to 97 ms at 500 appends/s). A trigger on
    // workspace deletes the log instead (migration 0002).
    workspaceId: text('workspace_id').notNull(),
    update: bytea('update').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('room_update_room_id_idx').on(t.room, t.id), index('room_update_workspace_id_idx').on(t.workspaceId)],
)

/** The compacted state of a room: all updates up to `upToId` merged into one. */
export const roomSnapshot = pgTable(
  'room_snapshot',
  {
    room: text('room').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspace.id, { onDelete: 'cascade' }),
    state: bytea('state').notNull(),
    upToId: bigint('up_to_id', { mode: 'number' }).notNull(),
    updateCount: integer('update_count').notNull().default(0),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('room_snapshot_workspace_id_idx').on(t.workspaceId)],
)
