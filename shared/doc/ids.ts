import { z } from 'zod'

/**
 * Ids of chats, messages, sidekiqs and their authors. Callers may bring their
 * own (better-auth user ids, ids made on the client so an optimistic write
 * and its echo agree); the charset keeps them safe in URLs and room names.
 */
export const docId = z
  .string()
  .min(1, 'Required')
  .max(128, 'Too long')
  .regex(/^[\w.:-]+$/, 'Use letters, digits, "_", "-", "." or ":"')

/** Milliseconds since the epoch, as `Date.now()` gives them. */
export const timestamp = z.number().int('Must be whole milliseconds').nonnegative('Must not be negative')

/**
 * A new random id (UUID v4). `crypto.randomUUID` exists in Node and in
 * browsers, but browsers offer it only in secure contexts (https, localhost);
 * `getRandomValues` is available everywhere, so plain-http dev hosts work too.
 */
export function newId(): string {
  const c = globalThis.crypto
  if (typeof c.randomUUID === 'function') return c.randomUUID()
  const b = c.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40 // version 4
  b[8] = (b[8] & 0x3f) | 0x80 // RFC 4122 variant
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
