import { and, eq, sql } from 'drizzle-orm'
import { can, type Capability } from '../shared/capabilities'
import { AppError, notFound } from '../shared/errors'
import { isWorkspaceRole, type WorkspaceRole } from '../shared/roles'
import { parseRoomName, type RoomName } from '../shared/rooms'
import type { Db } from './client'
import { preparedPerDb } from './prepared'
import { member, workspace } from './schema'

/**
 * The one access check: what may this user do in this workspace. Every
 * server entry point (HTTP routes, better-auth hooks, the sync server) asks
 * here; nothing else decides.
 */
export interface WorkspaceAccess {
  userId: string
  workspaceId: string
  memberId: string
  role: WorkspaceRole
  isPersonal: boolean
  plan: string
  ownerId: string
}

const accessRead = preparedPerDb((db) =>
  db
    .select({
      memberId: member.id,
      role: member.role,
      isPersonal: workspace.isPersonal,
      plan: workspace.plan,
      ownerId: workspace.ownerId,
    })
    .from(member)
    .innerJoin(workspace, eq(workspace.id, member.workspaceId))
    .where(and(eq(member.userId, sql.placeholder('userId')), eq(member.workspaceId, sql.placeholder('workspaceId'))))
    .limit(1)
    .prepare('workspace_access'),
)

/** The caller's access to a workspace, or null when they are not a member (or it does not exist). */
export async function getWorkspaceAccess(db: Db, userId: string, workspaceId: string): Promise<WorkspaceAccess | null> {
  const [row] = await accessRead(db).execute({ userId, workspaceId })
  if (!row || !isWorkspaceRole(row.role)) return null
  return { userId, workspaceId, ...row, role: row.role }
}

/**
 * Requires membership and, when given, a capability. Non-members get the
 * same NOT_FOUND as a workspace that does not exist, so ids can't be probed.
 */
export async function requireWorkspaceAccess(
  db: Db,
  userId: string,
  workspaceId: string,
  capability?: Capability,
): Promise<WorkspaceAccess> {
  const access = await getWorkspaceAccess(db, userId, workspaceId)
  if (!access) throw notFound()
  if (capability && !can(access.role, capability)) {
    throw new AppError('FORBIDDEN', `Your role (${access.role}) may not do this: ${capability}`)
  }
  return access
}

export interface RoomAccess extends WorkspaceAccess {
  room: RoomName
  /** Viewers read; their updates are dropped. */
  canWrite: boolean
}

/**
 * May this user join this sync room: a member of the workspace, and for a
 * private room its owner. Malformed names are BAD_REQUEST; everything else
 * refused is NOT_FOUND, whether the workspace exists or not.
 */
export async function authorizeRoom(db: Db, userId: string, roomName: string): Promise<RoomAccess> {
  const room = parseRoomName(roomName)
  if (!room)
    throw new AppError('BAD_REQUEST', 'Malformed room name', {
      room: 'Expected w/<workspaceId> or w/<workspaceId>/u/<userId>',
    })
  if (room.kind === 'private' && room.userId !== userId) throw notFound('Room')
  const access = await requireWorkspaceAccess(db, userId, room.workspaceId, 'content:read')
  return { ...access, room, canWrite: can(access.role, 'content:write') }
}
