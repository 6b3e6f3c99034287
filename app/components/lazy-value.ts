import { useSyncExternalStore } from 'react'

/** A value from a dynamically imported chunk, loaded once per page and readable from React. */
export interface LazyValue<T> {
  /** Starts the import (once; a failed one is tried again by the next call) and resolves with the value. */
  load(): Promise<T>
  /**
   * The value once loaded, null before (and while hydrating, so the first
   * client render matches the server's). Starts the load.
   */
  useValue(): T | null
}

export function lazyValue<T>(importValue: () => Promise<T>): LazyValue<T> {
  let value: T | null = null
  let loading: Promise<T> | null = null
  const listeners = new Set<() => void>()

  const load = () => {
    loading ??= importValue().then(
      (loaded) => {
        value = loaded
        for (const listener of listeners) listener()
        return loaded
      },
      (error: unknown) => {
        loading = null
        throw error
      },
    )
    return loading
  }

  const subscribe = (listener: () => void) => {
    listeners.add(listener)
    // Without the value the caller renders a plain fallback; nothing to report.
    load().catch(() => undefined)
    return () => listeners.delete(listener)
  }
  const getSnapshot = () => value
  // Hydration renders what the server sent, and the app's server never loads
  // these chunks, so a hydrating browser starts from null too. A server that
  // did load one (tests, through `load`) renders with it.
  const getServerSnapshot = typeof window === 'undefined' ? getSnapshot : () => null

  return {
    load,
    useValue: () => useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot),
  }
}
