import { useCallback, useEffect, useState } from 'react'
import { api, errorMessage } from '../lib/api'

/** Loads JSON from the API on mount and whenever `path` changes; `reload` refetches after a mutation. */
export function useApiData<T>(path: string) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [version, setVersion] = useState(0)
  useEffect(() => {
    let live = true
    api<T>(path)
      .then((d) => {
        if (live) {
          setData(d)
          setError(null)
        }
      })
      .catch((e) => {
        if (live) setError(errorMessage(e))
      })
    return () => {
      live = false
    }
  }, [path, version])
  const reload = useCallback(() => setVersion((v) => v + 1), [])
  return { data, error, reload }
}
