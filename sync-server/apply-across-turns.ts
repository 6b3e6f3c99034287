import * as Y from 'yjs'
import { TURN_BUDGET_MS, yieldIfTurnSpent } from './turn-budget'
import { splitUpdateAcrossTurns } from './update-pieces'

/** What `applyAcrossTurns` applied. */
export interface AppliedStored {
  /** Updates Yjs could not apply (a broken client's bytes in the log): left out. */
  skipped: number
}

/**
 * Applies a room's stored updates (snapshot, then log) to its document as
 * `applyStoredUpdates` does, but a piece at a time (update-pieces.ts),
 * letting the event loop turn whenever the turn's budget is spent
 * (turn-budget.ts): a room of megabytes takes tens of milliseconds to
 * decode, and every other room on the node would wait that long. An update Yjs cannot apply is skipped (the
 * pieces of it applied before the error stay, as a one-by-one apply would
 * leave them).
 */
export async function applyAcrossTurns(
  doc: Y.Doc,
  updates: readonly Uint8Array[],
  origin: unknown,
  { stepMs = TURN_BUDGET_MS, pieceBytes }: { stepMs?: number; pieceBytes?: number } = {},
): Promise<AppliedStored> {
  let skipped = 0
  const pause = () => yieldIfTurnSpent(stepMs)
  await pause()
  for (const update of updates) {
    let pieces: Iterable<Uint8Array | null>
    try {
      pieces = await splitUpdateAcrossTurns(update, pause, { pieceBytes, stepMs })
    } catch {
      // Not an update this reader understands: Yjs decides below, as it would have.
      pieces = [update]
    }
    let stepStarted = performance.now()
    for (const piece of pieces) {
      // Pieces are made as they are taken: planning between two of them counts toward the step too.
      if (piece === null) {
        if (performance.now() - stepStarted < stepMs) continue
      } else {
        try {
          Y.applyUpdate(doc, piece, origin)
        } catch {
          skipped++
          break
        }
      }
      await pause()
      stepStarted = performance.now()
    }
  }
  return { skipped }
}
