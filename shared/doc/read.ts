import * as Y from 'yjs'
import type { z } from 'zod'

/**
 * A stored value a reader skipped. Docs are written by every client, by
 * older and newer app versions and, in principle, by a hostile member with a
 * raw Yjs client, so readers validate and skip instead of trusting or throwing.
 */
export interface InvalidValue {
  /** Where the value sits, e.g. `chats/<chatId>/messages/3`. */
  readonly path: string
  /** What is wrong with it, from the schema. */
  readonly message: string
}

/** Options every reader takes. */
export interface ReadOptions {
  /** Called once per skipped value; readers skip silently without it. */
  readonly onInvalid?: (invalid: InvalidValue) => void
}

/**
 * Validates one stored `Y.Map` against its schema. Returns the parsed value,
 * or `undefined` after reporting why it was skipped. Nested Y types reach the
 * schema as themselves (`z.instanceof(Y.Text)`), not as their JSON.
 */
export function readStored<S extends z.ZodType>(
  schema: S,
  value: unknown,
  path: string,
  options: ReadOptions | undefined,
): z.output<S> | undefined {
  if (!(value instanceof Y.Map)) {
    options?.onInvalid?.({ path, message: 'Not a map' })
    return undefined
  }
  const result = schema.safeParse(Object.fromEntries(value.entries()))
  if (result.success) return result.data
  const message = result.error.issues.map((i) => `${i.path.join('.') || '_'}: ${i.message}`).join('; ')
  options?.onInvalid?.({ path, message })
  return undefined
}
