import type { WorkspaceRole } from './roles'

/**
 * Everything a member may be allowed to do in a workspace. The one table
 * below is the whole policy: the server enforces it (db/access.ts), the
 * client only uses it to hide controls it would be refused anyway.
 */
export const CAPABILITIES = [
  'workspace:read',
  'workspace:update',
  'workspace:delete',
  'workspace:transfer',
  'workspace:billing',
  /** Download the whole workspace as a file: settings, members, shared chats and the caller's private ones. */
  'workspace:export',
  'member:read',
  'member:update-role',
  'member:remove',
  'invitation:read',
  'invitation:create',
  'invitation:cancel',
  'content:read',
  'content:write',
  /** Edit and delete content others made (sidekiqs), not only one's own. */
  'content:manage',
  'budget:spend',
] as const

export type Capability = (typeof CAPABILITIES)[number]

const READ: Capability[] = ['workspace:read', 'member:read', 'content:read']
const CONTENT: Capability[] = [...READ, 'content:write', 'budget:spend']
const MANAGE_MEMBERS: Capability[] = [
  'member:update-role',
  'member:remove',
  'invitation:read',
  'invitation:create',
  'invitation:cancel',
]

export const ROLE_CAPABILITIES: Readonly<Record<WorkspaceRole, ReadonlySet<Capability>>> = {
  owner: new Set<Capability>(CAPABILITIES),
  admin: new Set<Capability>([
    ...CONTENT,
    ...MANAGE_MEMBERS,
    'content:manage',
    'workspace:update',
    'workspace:billing',
  ]),
  member: new Set<Capability>(CONTENT),
  viewer: new Set<Capability>(READ),
}

/** Whether `role` holds `capability`. Never compare role names directly. */
export function can(role: WorkspaceRole, capability: Capability): boolean {
  return ROLE_CAPABILITIES[role].has(capability)
}
