import { describe, expect, test } from 'vitest'
import { yieldIfTurnSpent } from '../../sync-server/turn-budget'

/** Keeps the thread busy for `ms`, as a step of room work does. */
function busy(ms: number) {
  const until = performance.now() + ms
  while (performance.now() < until);
}

describe('the turn budget', () => {
  test('steps arriving in one turn are spread over turns, each turn running steps worth about its budget', async () => {
    // A marker that re-arms itself every turn of the loop numbers the turns.
    let turn = 0
    let counting = true
    const tick = () => {
      turn++
      if (counting) setImmediate(tick)
    }
    setImmediate(tick)
    const ranIn: number[] = []
    // Twelve steps of 2 ms with a 3 ms budget: at most two fit in a turn (the second starts before 3 ms are up).
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        await yieldIfTurnSpent(3)
        busy(2)
        ranIn.push(turn)
      }),
    )
    counting = false
    expect(ranIn).toHaveLength(12)
    const perTurn = new Map<number, number>()
    for (const t of ranIn) perTurn.set(t, (perTurn.get(t) ?? 0) + 1)
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(2)
    expect(perTurn.size).toBeGreaterThanOrEqual(6)
  })

  test('a step alone in its turn runs at once, without waiting for a later turn', async () => {
    // A turn of its own, after the steps of any test before.
    await new Promise((resolve) => setTimeout(resolve, 5))
    let later = false
    setImmediate(() => (later = true))
    await yieldIfTurnSpent(3)
    expect(later).toBe(false)
  })
})
