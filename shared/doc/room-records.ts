import * as Y from 'yjs'
import type { z } from 'zod'
import type { DocOrigin } from './origin'
import { type chatRecord, type sidekiqRecord, importChat, importSidekiq } from './records'
import { migrateDoc } from './schema-version'

/**
 * The whole state of a new room holding these records, at the current
 * schema version: what an import stores as a brand-new room's first update.
 * Sidekiqs are written first, names made free as `importSidekiq` does.
 */
export function roomStateFromRecords(
  records: {
    readonly sidekiqs?: readonly z.input<typeof sidekiqRecord>[]
    readonly chats: readonly z.input<typeof chatRecord>[]
  },
  origin: DocOrigin,
): Uint8Array {
  const doc = new Y.Doc()
  try {
    migrateDoc(doc)
    for (const sidekiq of records.sidekiqs ?? []) importSidekiq(doc, sidekiq, origin)
    for (const chat of records.chats) importChat(doc, chat, origin)
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}
