import { asc, eq } from 'drizzle-orm'
import { sidekiqRecords } from '../shared/doc'
import { notFound } from '../shared/errors'
import { findModel } from '../shared/models'
import { isWorkspaceRole, roleRank } from '../shared/roles'
import { privateRoom, sharedRoom } from '../shared/rooms'
import {
  EXPORT_FILE_VERSION,
  WORKSPACE_FILE_FORMAT,
  exportFileName,
  type WorkspaceFile,
} from '../shared/schemas/workspace-export'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { readChatRecords, readRoomDoc } from './room-doc'
import { member, user, workspace } from './schema'

export interface WorkspaceExport {
  file: WorkspaceFile
  fileName: string
}

/**
 * The workspace as one file (decision 020): its settings, who is in it,
 * its sidekiqs and shared chats, and the caller's own private chats, each
 * chat's metadata from its index room and its messages from its own room
 * (decision 021). Owners
 * only: the file holds every shared word and every member's address. Other
 * members' private rooms are never read: they are theirs alone.
 */
export async function exportWorkspace(
  db: Db,
  userId: string,
  workspaceId: string,
  now = new Date(),
): Promise<WorkspaceExport> {
  await requireWorkspaceAccess(db, userId, workspaceId, 'workspace:export')
  const [ws] = await db
    .select({ name: workspace.name, slug: workspace.slug, defaultModel: workspace.defaultModel })
    .from(workspace)
    .where(eq(workspace.id, workspaceId))
  if (!ws) throw notFound()
  const people = await db
    .select({ email: user.email, name: user.name, role: member.role })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(eq(member.workspaceId, workspaceId))
    .orderBy(asc(user.email))
  const members = people
    .flatMap((p) => (isWorkspaceRole(p.role) ? [{ ...p, role: p.role }] : []))
    .sort((a, b) => roleRank(a.role) - roleRank(b.role))
  const shared = await readRoomDoc(db, sharedRoom(workspaceId))
  const own = await readRoomDoc(db, privateRoom(workspaceId, userId))
  try {
    const sharedChats = await readChatRecords(db, sharedRoom(workspaceId), shared)
    const privateChats = await readChatRecords(db, privateRoom(workspaceId, userId), own)
    const file: WorkspaceFile = {
      format: WORKSPACE_FILE_FORMAT,
      version: EXPORT_FILE_VERSION,
      exportedAt: now.toISOString(),
      workspace: {
        name: ws.name,
        // One the catalog no longer knows already chooses nothing (resolveModelId skips it); an import would refuse it.
        defaultModel: ws.defaultModel && findModel(ws.defaultModel) ? ws.defaultModel : null,
      },
      members,
      sidekiqs: sidekiqRecords(shared),
      sharedChats,
      privateChats,
    }
    return { file, fileName: exportFileName(ws.slug, 'workspace', now) }
  } finally {
    shared.destroy()
    own.destroy()
  }
}
