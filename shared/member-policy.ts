import { can } from './capabilities'
import { roleRank, type WorkspaceRole } from './roles'

/**
 * Rules for acting on another member, on top of plain capabilities:
 * nobody acts on someone of a higher role, nobody grants a role above their
 * own, and the owner is only ever replaced through an ownership transfer.
 * Returns a reason when refused, null when allowed.
 */
export function refuseRoleChange(actor: WorkspaceRole, target: WorkspaceRole, next: WorkspaceRole): string | null {
  if (!can(actor, 'member:update-role')) return 'Your role may not change roles'
  if (target === 'owner') return 'The owner’s role changes only by transferring ownership'
  if (next === 'owner') return 'Ownership moves only by transfer'
  if (roleRank(target) < roleRank(actor)) return 'You may not change the role of someone above you'
  if (roleRank(next) < roleRank(actor)) return 'You may not grant a role above your own'
  return null
}

export function refuseRemoval(actor: WorkspaceRole, target: WorkspaceRole): string | null {
  if (!can(actor, 'member:remove')) return 'Your role may not remove members'
  if (target === 'owner') return 'The owner cannot be removed; transfer ownership first'
  if (roleRank(target) < roleRank(actor)) return 'You may not remove someone above you'
  return null
}

export function refuseInvitationRole(actor: WorkspaceRole, invited: WorkspaceRole): string | null {
  if (!can(actor, 'invitation:create')) return 'Your role may not invite'
  if (invited === 'owner') return 'Nobody is invited as owner; transfer ownership after they join'
  if (roleRank(invited) < roleRank(actor)) return 'You may not invite with a role above your own'
  return null
}
