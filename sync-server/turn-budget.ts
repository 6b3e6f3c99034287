/** How long the server works on rooms in one turn of the event loop before it lets the loop turn, ms. */
export const TURN_BUDGET_MS = 3

interface Waiting {
  readonly resume: () => void
  readonly budgetMs: number
}

/** Steps waiting for their turn, in the order they asked. */
const waiting: Waiting[] = []
/** When the current turn's room work began; -1 between turns. */
let turnStarted = -1
/** True while a step runs or the queue waits for the next turn: a new step queues behind. */
let granting = false

function endTurn() {
  turnStarted = -1
}

/** Lets the next waiting step run, once the one before it has run its synchronous part. */
function grantNext() {
  const next = waiting[0]
  if (!next) {
    granting = false
    return
  }
  const now = performance.now()
  if (turnStarted < 0) {
    turnStarted = now
    // Queued now, it runs in this turn's check phase before a `grantNext` queued later: that one starts the next turn.
    setImmediate(endTurn)
  } else if (now - turnStarted >= next.budgetMs) {
    setImmediate(grantNext)
    return
  }
  waiting.shift()
  next.resume()
  // The resumed step's continuation is already queued: these run after its synchronous part.
  queueMicrotask(() => queueMicrotask(grantNext))
}

/**
 * Resolves when the calling step may run: in this turn of the event loop
 * while the room work done in it has taken less than `budgetMs`, else in a
 * later turn. Each step is small (a piece of an update, one room's load,
 * one connection's answer), but a hundred clients connecting at once
 * complete their database reads in one poll of the loop, and their steps
 * would run back to back: tens of milliseconds in which no timer, socket
 * or other room is served. Steps run one at a time, in the order they
 * asked; a step is what its caller runs synchronously after the await.
 */
export function yieldIfTurnSpent(budgetMs = TURN_BUDGET_MS): Promise<void> {
  return new Promise((resume) => {
    waiting.push({ resume, budgetMs })
    if (!granting) {
      granting = true
      grantNext()
    }
  })
}
