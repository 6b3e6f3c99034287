import { setImmediate as nextTurn } from 'node:timers/promises'
import * as Y from 'yjs'
import { splitUpdateAcrossTurns } from './update-pieces'

/** How long the server works on one room before letting the event loop turn, ms. */
export const STEP_MS = 5

/** What `applyAcrossTurns` applied. */
export interface AppliedStored {
  /** Updates Yjs could not apply (a broken client's bytes in the log): left out. */
  skipped: number
}

/**
 * Applies a room's stored updates (snapshot, then log) to its document as
 * `applyStoredUpdates` does, but a piece at a time (update-pieces.ts),
 * letting the event loop turn whenever `stepMs` have gone by: a room of
 * megabytes takes tens of milliseconds to decode, and every other room on
 * the node would wait that long. An update Yjs cannot apply is skipped (the
 * pieces of it applied before the error stay, as a one-by-one apply would
 * leave them).
 */
export async function applyAcrossTurns(
  doc: Y.Doc,
  updates: readonly Uint8Array[],
  origin: unknown,
  { stepMs = STEP_MS, pieceBytes }: { stepMs?: number; pieceBytes?: number } = {},
): Promise<AppliedStored> {
  let skipped = 0
  let turnStarted = performance.now()
  const pause = async () => {
    await nextTurn()
    turnStarted = performance.now()
  }
  for (const update of updates) {
    let pieces: Uint8Array[]
    try {
      pieces = await splitUpdateAcrossTurns(update, pause, { pieceBytes, stepMs })
    } catch {
      // Not an update this reader understands: Yjs decides below, as it would have.
      pieces = [update]
    }
    for (const piece of pieces) {
      try {
        Y.applyUpdate(doc, piece, origin)
      } catch {
        skipped++
        break
      }
      if (performance.now() - turnStarted >= stepMs) await pause()
    }
  }
  return { skipped }
}
