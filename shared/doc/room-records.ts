import * as Y from 'yjs'
import type { z } from 'zod'
import type { DocOrigin } from './origin'
import { type chatRecord, type sidekiqRecord, importChat, importSidekiq } from './records'
import { migrateDoc } from './schema-version'

/** The first states of the rooms an import creates: one index room and each chat's room. */
export interface RoomStates {
  /** The index room: its sidekiqs (for the shared one) and every chat's index entry. */
  readonly index: Uint8Array
  /** Each chat's room, in the records' order. */
  readonly chats: readonly { readonly chatId: string; readonly state: Uint8Array }[]
}

/**
 * The whole state of a new index room and of each chat's room holding
 * these records (decision 021), at the current schema version: what an
 * import stores as brand-new rooms' first updates. Sidekiqs are written
 * first, names made free as `importSidekiq` does. One chat room's document
 * is in memory at a time.
 */
export function roomStatesFromRecords(
  records: {
    readonly sidekiqs?: readonly z.input<typeof sidekiqRecord>[]
    readonly chats: readonly z.input<typeof chatRecord>[]
  },
  origin: DocOrigin,
): RoomStates {
  const index = new Y.Doc()
  try {
    migrateDoc(index)
    for (const sidekiq of records.sidekiqs ?? []) importSidekiq(index, sidekiq, origin)
    const chats = records.chats.map((record) => {
      const room = new Y.Doc()
      try {
        migrateDoc(room)
        importChat(index, room, record, origin)
        return { chatId: record.id, state: Y.encodeStateAsUpdate(room) }
      } finally {
        room.destroy()
      }
    })
    return { index: Y.encodeStateAsUpdate(index), chats }
  } finally {
    index.destroy()
  }
}
