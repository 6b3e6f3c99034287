import { can } from './capabilities'
import type { Sidekiq } from './doc'
import type { WorkspaceRole } from './roles'

/**
 * Whether `role` may create sidekiqs at all. Anyone who writes content may:
 * a member's own assistant is content like a chat.
 */
export function canCreateSidekiq(role: WorkspaceRole): boolean {
  return can(role, 'content:write')
}

/**
 * Whether the user may edit and delete this sidekiq: owners and admins any
 * (they keep the workspace's assistants tidy), members only those they made,
 * viewers none. The client hides controls with it; the sync server holds
 * every client's changes to it through `sidekiqAfterChange`.
 */
export function canEditSidekiq(role: WorkspaceRole, sidekiq: { readonly createdBy: string }, userId: string): boolean {
  if (!can(role, 'content:write')) return false
  return can(role, 'content:manage') || sidekiq.createdBy === userId
}

/** Starring bumps `updatedAt` too; neither is an edit of the sidekiq (decision 013). */
function changedBeyondFavorite(before: Sidekiq, after: Sidekiq): boolean {
  return (Object.keys(before) as (keyof Sidekiq)[]).some(
    (key) => key !== 'favorite' && key !== 'updatedAt' && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  )
}

/**
 * What one sidekiq may be after `userId`, with `role`, changed it from
 * `before` to `after` (null: absent or unreadable). The sync server puts
 * back whatever differs, as a client's update cannot be refused.
 *
 * - A new sidekiq: by whoever may create one, in their own name
 *   (`createdBy` is its creator, whatever the role).
 * - The favourite flag alone: anyone who writes content, as a favourite is
 *   the workspace's.
 * - Anything else, deleting included: whoever `canEditSidekiq` on `before`,
 *   and `createdBy` never changes.
 *
 * Returns `after` itself when the change stands. Otherwise what to put back:
 * null to take a new sidekiq out, or `before` with the favourite flag as
 * changed.
 */
export function sidekiqAfterChange(
  role: WorkspaceRole,
  userId: string,
  before: Sidekiq | null,
  after: Sidekiq | null,
): Sidekiq | null {
  if (!before) return !after || (canCreateSidekiq(role) && after.createdBy === userId) ? after : null
  if (!after) return canEditSidekiq(role, before, userId) ? after : before
  if (!changedBeyondFavorite(before, after)) return can(role, 'content:write') ? after : before
  if (canEditSidekiq(role, before, userId) && after.createdBy === before.createdBy) return after
  return can(role, 'content:write') ? { ...before, favorite: after.favorite } : before
}
