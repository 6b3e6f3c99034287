import { createHash } from 'node:crypto'
import { docId } from '../../shared/doc/ids'

/**
 * Legacy ids are kept where our rules accept them, so a re-run finds what
 * an earlier run wrote. An id that does not fit gets one derived from it by
 * hashing: the same on every run, and distinct for distinct ids.
 */

/** What room names accept for workspace and user ids (shared/rooms.ts). */
const ROOM_ID = /^[A-Za-z0-9_-]{1,128}$/

export function derivedId(kind: string, ...parts: string[]): string {
  return `legacy-${kind}-${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 27)}`
}

/** A workspace or user id: it goes into room names. */
export function roomSafeId(kind: string, id: string): string {
  return ROOM_ID.test(id) ? id : derivedId(kind, id)
}

/** A chat, message or sidekiq id (shared/doc/ids.ts). */
export function docSafeId(kind: string, id: string): string {
  return docId.safeParse(id).success ? id : derivedId(kind, id)
}

/** A short lowercase suffix for making a slug unique, fixed per team. */
export function slugSuffix(teamId: string, length = 6): string {
  return createHash('sha256').update(teamId).digest('hex').slice(0, length)
}

/**
 * The invitation id is the secret in our accept link (db/invitations.ts), so
 * the legacy token (the secret of the old link) becomes it: a link's last
 * segment still names the invitation. A token that does not fit a URL
 * segment is hashed instead, which keeps it as hard to guess.
 */
export function invitationId(token: string): string {
  return /^[A-Za-z0-9_-]{16,128}$/.test(token) ? token : derivedId('invitation', token)
}
