import { useCallback, useRef, useSyncExternalStore } from 'react'
import type * as Y from 'yjs'
import { onDocChanged } from './doc-changes'

/**
 * A value read from a Yjs document with the shared/doc readers, kept current:
 * read again after every change to the document (local, remote or loaded
 * from the device) and only then, so a render reads a stable snapshot.
 * `key` names whatever else `read` depends on: a new key reads again.
 */
export function useDocValue<T>(doc: Y.Doc | null, read: (doc: Y.Doc) => T, empty: T, key: string = ''): T {
  const cache = useRef<{ doc: Y.Doc | null; version: number; key: string; value: T } | null>(null)
  const version = useRef(0)
  const readRef = useRef(read)
  readRef.current = read
  const subscribe = useCallback(
    (notify: () => void) => {
      if (!doc) return () => {}
      const onUpdate = () => {
        version.current++
        notify()
      }
      const stop = onDocChanged(doc, onUpdate)
      // A change between the render and this subscription (the device copy loading) was not counted: read again.
      onUpdate()
      return stop
    },
    [doc],
  )
  const snapshot = () => {
    if (!doc) return empty
    const cached = cache.current
    if (cached && cached.doc === doc && cached.version === version.current && cached.key === key) return cached.value
    const value = readRef.current(doc)
    cache.current = { doc, version: version.current, key, value }
    return value
  }
  return useSyncExternalStore(subscribe, snapshot, () => empty)
}
