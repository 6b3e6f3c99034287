import { AppError } from '../shared/errors'

/**
 * Unique constraints that two simultaneous requests can both reach after
 * both passed the "is it free?" check (better-auth checks, then inserts),
 * with the input field each one is about. The constraint keeps the data
 * right; this turns the loser's error into the 409 the check would have given.
 */
const UNIQUE_CONSTRAINTS: Record<string, { message: string; field?: string }> = {
  user_email_unique: { message: 'An account with this email already exists', field: 'email' },
  workspace_slug_unique: { message: 'This slug is already taken', field: 'slug' },
  workspace_invitation_one_pending: { message: 'This email already has a pending invitation', field: 'email' },
  workspace_member_unique: { message: 'Already a member of this workspace' },
  workspace_one_personal_per_user: { message: 'You already have a personal workspace' },
}

/** The CONFLICT for a unique violation on a known constraint, from either driver; null for anything else. */
export function conflictFromDatabaseError(error: unknown): AppError | null {
  // drizzle wraps the driver's error in `cause`; postgres-js names the
  // constraint `constraint_name`, PGlite `constraint`.
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === '23505') {
      const name = String(e.constraint_name ?? e.constraint ?? '')
      const known = UNIQUE_CONSTRAINTS[name]
      if (!known) return null
      return new AppError('CONFLICT', known.message, known.field ? { [known.field]: known.message } : undefined)
    }
    e = e.cause as Record<string, unknown> | undefined
  }
  return null
}
