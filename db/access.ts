import { and, eq, sql } from 'drizzle-orm'
import { can, type Capability } from '../shared/capabilities'
import { AppError, notFound } from '../shared/errors'
import { isWorkspaceRole, type WorkspaceRole } from '../shared/roles'
import { parseRoomName, type RoomName } from '../shared/rooms'
import type { Db } from './client'
import { preparedPerDb } from './prepared'
import { member, session, workspace } from './schema'

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
  if (capability) requireCapability(access.role, capability)
  return access
}

function requireCapability(role: WorkspaceRole, capability: Capability) {
  if (!can(role, capability)) throw new AppError('FORBIDDEN', `Your role (${role}) may not do this: ${capability}`)
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
  const room = requireRoomName(roomName)
  if (isOthersPrivateRoom(room, userId)) throw notFound('Room')
  const access = await requireWorkspaceAccess(db, userId, room.workspaceId, 'content:read')
  return { ...access, room, canWrite: can(access.role, 'content:write') }
}

/** A private room, or a private chat's room, of another member: refused as if it did not exist. */
function isOthersPrivateRoom(room: RoomName, userId: string): boolean {
  return (room.kind === 'private' || room.kind === 'private-chat') && room.userId !== userId
}

function requireRoomName(roomName: string): RoomName {
  const room = parseRoomName(roomName)
  if (!room)
    throw new AppError('BAD_REQUEST', 'Malformed room name', {
      room: 'Expected w/<workspaceId>, w/<workspaceId>/u/<userId>, or either followed by /c/<chatId>',
    })
  return room
}

export interface SessionRoomAccess extends RoomAccess {
  /** The member's and the workspace's default models, read in the same round trip. */
  defaultModels: { member: string | null; workspace: string | null }
}

const sessionAccessRead = preparedPerDb((db) =>
  db
    .select({
      userId: session.userId,
      expiresAt: session.expiresAt,
      memberId: member.id,
      role: member.role,
      isPersonal: workspace.isPersonal,
      plan: workspace.plan,
      ownerId: workspace.ownerId,
      memberDefaultModel: member.defaultModel,
      workspaceDefaultModel: workspace.defaultModel,
    })
    .from(session)
    .leftJoin(member, and(eq(member.userId, session.userId), eq(member.workspaceId, sql.placeholder('workspaceId'))))
    .leftJoin(workspace, eq(workspace.id, member.workspaceId))
    .where(eq(session.token, sql.placeholder('token')))
    .limit(1)
    .prepare('session_room_access'),
)

/**
 * authorizeRoom for a request that carries a session token (its signature
 * already checked, see createSessionTokenReader): who is asking and what
 * they may do there in one round trip instead of two. It is on the path of
 * every AI answer, where a round trip is a tenth of the server's share of
 * the time to first token. Null when the token names no unexpired session
 * (the caller answers 401); otherwise the same rules and errors as
 * authorizeRoom.
 */
export async function authorizeSessionRoom(
  db: Db,
  sessionToken: string,
  roomName: string,
): Promise<SessionRoomAccess | null> {
  const room = requireRoomName(roomName)
  const [row] = await sessionAccessRead(db).execute({ token: sessionToken, workspaceId: room.workspaceId })
  if (!row || row.expiresAt.getTime() <= Date.now()) return null
  const { userId } = row
  if (isOthersPrivateRoom(room, userId)) throw notFound('Room')
  if (
    !row.memberId ||
    !row.role ||
    !isWorkspaceRole(row.role) ||
    row.isPersonal === null ||
    !row.plan ||
    !row.ownerId
  ) {
    throw notFound()
  }
  const role = row.role
  requireCapability(role, 'content:read')
  return {
    userId,
    workspaceId: room.workspaceId,
    memberId: row.memberId,
    role,
    isPersonal: row.isPersonal,
    plan: row.plan,
    ownerId: row.ownerId,
    room,
    canWrite: can(role, 'content:write'),
    defaultModels: { member: row.memberDefaultModel, workspace: row.workspaceDefaultModel },
  }
}
