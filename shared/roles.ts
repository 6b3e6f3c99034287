/**
 * Workspace roles, from most to least privileged. The order matters:
 * `roleRank` is used to stop anyone from granting or touching a role
 * above their own.
 */
export const WORKSPACE_ROLES = ['owner', 'admin', 'member', 'viewer'] as const

export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number]

/** Roles that can be given through an invitation or a role change (ownership moves only by transfer). */
export const ASSIGNABLE_ROLES = ['admin', 'member', 'viewer'] as const satisfies readonly WorkspaceRole[]

export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number]

export function isWorkspaceRole(value: unknown): value is WorkspaceRole {
  return typeof value === 'string' && (WORKSPACE_ROLES as readonly string[]).includes(value)
}

/** Lower is more privileged: owner 0 … viewer 3. */
export function roleRank(role: WorkspaceRole): number {
  return WORKSPACE_ROLES.indexOf(role)
}
