import { useCallback, useEffect, useRef, useState } from 'react'
import { api, ApiError, errorMessage } from '../lib/api'

export interface ApiDataOptions {
  /**
   * Refetch every `refreshMs` while the page is visible, and at once when the
   * window regains focus: for data the server may change on its own (a
   * webhook), so the page follows without a reload. Refusals (4xx) pause it.
   */
  refreshMs?: number
}

/** Loads JSON from the API on mount and whenever `path` changes; `reload` refetches after a mutation. */
export function useApiData<T>(path: string, { refreshMs }: ApiDataOptions = {}) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<{ message: string; status: number | null } | null>(null)
  const [version, setVersion] = useState(0)
  // A refresh never interrupts a request still in flight: on a slow server
  // each tick would otherwise discard the answer about to arrive.
  const inFlight = useRef(false)
  useEffect(() => {
    let live = true
    inFlight.current = true
    api<T>(path)
      .then((d) => {
        if (live) {
          setData(d)
          setError(null)
        }
      })
      .catch((e) => {
        if (live) setError({ message: errorMessage(e), status: e instanceof ApiError ? e.status : null })
      })
      .finally(() => {
        if (live) inFlight.current = false
      })
    return () => {
      live = false
    }
  }, [path, version])
  // A refusal (not found, forbidden, invalid) will not change by asking
  // again: refreshing pauses until a reload or another path, rather than
  // failing on every tick. Network errors, 5xx, timeouts and rate limits retry.
  const status = error?.status ?? null
  const refused = status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429
  useEffect(() => {
    if (!refreshMs || refreshMs <= 0 || refused) return
    const refresh = () => {
      if (document.visibilityState === 'visible' && !inFlight.current) setVersion((v) => v + 1)
    }
    const timer = setInterval(refresh, refreshMs)
    window.addEventListener('focus', refresh)
    return () => {
      clearInterval(timer)
      window.removeEventListener('focus', refresh)
    }
  }, [refreshMs, refused])
  const reload = useCallback(() => setVersion((v) => v + 1), [])
  return { data, error: error?.message ?? null, reload }
}
