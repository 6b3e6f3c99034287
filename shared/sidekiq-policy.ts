import { can } from './capabilities'
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
 * viewers none. The client uses it to hide controls only; the rooms' data
 * is written by every member with write access.
 */
export function canEditSidekiq(role: WorkspaceRole, sidekiq: { readonly createdBy: string }, userId: string): boolean {
  if (!can(role, 'content:write')) return false
  return can(role, 'content:manage') || sidekiq.createdBy === userId
}
