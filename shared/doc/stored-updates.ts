import * as Y from 'yjs'

/**
 * A room's stored updates (snapshot, then log) as a document, for code that
 * reads or writes a room outside the sync server: exports and imports.
 */

/**
 * Applies stored updates to `doc`: merged in one go or, when Yjs throws, one
 * by one, skipping those it cannot apply. Such an update is in the log
 * because the sync server stores a client's update before applying it;
 * skipping it keeps one bad client from making the room unreadable for good.
 * Returns how many were skipped.
 */
export function applyStoredUpdates(doc: Y.Doc, updates: readonly Uint8Array[], origin: unknown): number {
  try {
    Y.applyUpdate(doc, Y.mergeUpdates([...updates]), origin)
    return 0
  } catch {
    let skipped = 0
    for (const update of updates) {
      try {
        Y.applyUpdate(doc, update, origin)
      } catch {
        skipped++
      }
    }
    return skipped
  }
}

/** A new document holding the stored updates (those Yjs can apply). */
export function docFromUpdates(updates: readonly Uint8Array[]): Y.Doc {
  const doc = new Y.Doc()
  applyStoredUpdates(doc, updates, null)
  return doc
}
