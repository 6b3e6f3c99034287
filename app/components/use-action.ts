import { useState } from 'react'
import { ApiError, errorMessage } from '../lib/api'
import type { FieldErrors } from '../../shared/errors'

/** Runs an async action with pending state and the server's error (message and fields) kept for display. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [fields, setFields] = useState<FieldErrors>({})
  const run = async (...args: A): Promise<R | undefined> => {
    setPending(true)
    setError(null)
    setFields({})
    try {
      return await action(...args)
    } catch (e) {
      setError(errorMessage(e))
      if (e instanceof ApiError && e.fields) setFields(e.fields)
      return undefined
    } finally {
      setPending(false)
    }
  }
  return { run, pending, error, fields }
}
