import type { z } from 'zod'
import { AppError, type FieldErrors } from './errors'

/** Flattens zod issues to `{ "path.to.field": "message" }`, first message per field. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {}
  for (const issue of error.issues) {
    // A strict object reports unknown keys on the object itself; name each key
    // instead, so the caller sees which field is not accepted.
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path]
    for (const path of paths) {
      const key = path.length ? path.join('.') : '_'
      fields[key] ??= issue.code === 'unrecognized_keys' ? 'Unknown field' : issue.message
    }
  }
  return fields
}

/** Parses untrusted input or throws a 400 `AppError` naming the offending fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input)
  if (!result.success) {
    const fields = fieldErrors(result.error)
    throw new AppError('BAD_REQUEST', `Invalid input: ${Object.keys(fields).join(', ')}`, fields)
  }
  return result.data
}
