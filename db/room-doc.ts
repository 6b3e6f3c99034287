import type * as Y from 'yjs'
import { docFromUpdates } from '../shared/doc'
import type { Db } from './client'
import { loadRoom } from './room-storage'

/**
 * A room as storage holds it, as a document, for reading it outside the
 * sync server (exports). Every edit the sync server accepted is there: it
 * stores an update before broadcasting it. The caller destroys the doc.
 */
export async function readRoomDoc(db: Db, room: string): Promise<Y.Doc> {
  return docFromUpdates((await loadRoom(db, room)).updates)
}
