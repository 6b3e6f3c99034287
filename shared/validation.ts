import type { z } from 'zod'
import { AppError, type FieldErrors } from './errors'

/** Flattens zod issues to `{ "path.to.field": "message" }`, first message per field. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const fields: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_'
    fields[key] ??= issue.message
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
