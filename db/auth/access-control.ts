import { createAccessControl } from 'better-auth/plugins/access'
import { can, type Capability } from '../../shared/capabilities'
import { WORKSPACE_ROLES, type WorkspaceRole } from '../../shared/roles'

/**
 * better-auth's organization plugin checks its own statements inside its
 * endpoints. They are derived here from the one capability table, so the
 * plugin can never allow what shared/capabilities.ts refuses.
 */
const statement = {
  organization: ['update', 'delete'],
  member: ['create', 'update', 'delete'],
  invitation: ['create', 'cancel'],
  team: ['create', 'update', 'delete'],
  ac: ['create', 'read', 'update', 'delete'],
} as const

export const ac = createAccessControl(statement)

const grants: Record<string, Record<string, Capability>> = {
  organization: { update: 'workspace:update', delete: 'workspace:delete' },
  member: { create: 'invitation:create', update: 'member:update-role', delete: 'member:remove' },
  invitation: { create: 'invitation:create', cancel: 'invitation:cancel' },
}

function statementsFor(role: WorkspaceRole) {
  const out: Record<string, string[]> = {}
  for (const [resource, actions] of Object.entries(grants)) {
    out[resource] = Object.entries(actions)
      .filter(([, capability]) => can(role, capability))
      .map(([action]) => action)
  }
  return out as { [K in keyof typeof statement]?: (typeof statement)[K][number][] }
}

export const roles = Object.fromEntries(
  WORKSPACE_ROLES.map((role) => [role, ac.newRole(statementsFor(role))]),
) as Record<WorkspaceRole, ReturnType<typeof ac.newRole>>
