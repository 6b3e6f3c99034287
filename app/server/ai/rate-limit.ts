/**
 * A fixed-window counter per key (a member in a workspace). It lives in the
 * process: a member spreading requests over several app nodes gets the
 * limit once per node, which is still a bound; the quota, which is money,
 * is enforced in PostgreSQL for every node at once.
 */
export interface RateLimiter {
  /** Counts one request; false when the key is over its limit for this window. */
  take(key: string, now?: number): boolean
}

export function createRateLimiter(opts: { limit: number; windowMs: number }): RateLimiter {
  const windows = new Map<string, { startedAt: number; count: number }>()
  return {
    take(key, now = Date.now()) {
      const current = windows.get(key)
      if (!current || now - current.startedAt >= opts.windowMs) {
        // Forget finished windows now and then, so idle keys do not pile up.
        if (windows.size > 10_000) {
          for (const [k, w] of windows) if (now - w.startedAt >= opts.windowMs) windows.delete(k)
        }
        windows.set(key, { startedAt: now, count: 1 })
        return true
      }
      current.count++
      return current.count <= opts.limit
    },
  }
}
