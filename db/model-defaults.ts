import { and, eq, sql } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../shared/errors'
import { findModel, modelIdInput } from '../shared/models'
import { parseInput } from '../shared/validation'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { preparedPerDb } from './prepared'
import { member, workspace } from './schema'

export interface ModelDefaults {
  /** The member's own pick in this workspace. */
  member: string | null
  /** The workspace's pick, set by its owners and admins. */
  workspace: string | null
}

/** A catalog id, or null to clear the choice; an id the catalog does not know is refused. */
export const defaultModelInput = z.strictObject({
  model: modelIdInput.nullable().refine((id) => id === null || findModel(id) !== null, 'Unknown model'),
})

/** The defaults below a chat's and a sidekiq's choice (see resolveModelId). Members only. */
export async function getModelDefaults(db: Db, userId: string, workspaceId: string): Promise<ModelDefaults> {
  await requireWorkspaceAccess(db, userId, workspaceId)
  return readModelDefaults(db, userId, workspaceId)
}

const defaultsRead = preparedPerDb((db) =>
  db
    .select({ member: member.defaultModel, workspace: workspace.defaultModel })
    .from(member)
    .innerJoin(workspace, eq(workspace.id, member.workspaceId))
    .where(and(eq(member.workspaceId, sql.placeholder('workspaceId')), eq(member.userId, sql.placeholder('userId'))))
    .prepare('model_defaults'),
)

async function readModelDefaults(db: Db, userId: string, workspaceId: string): Promise<ModelDefaults> {
  const [row] = await defaultsRead(db).execute({ userId, workspaceId })
  return { member: row?.member ?? null, workspace: row?.workspace ?? null }
}

/** Sets the workspace's default model: owners and admins (workspace:update). */
export async function setWorkspaceDefaultModel(
  db: Db,
  actorId: string,
  workspaceId: string,
  input: unknown,
): Promise<ModelDefaults> {
  const { model } = parseInput(defaultModelInput, input)
  await requireWorkspaceAccess(db, actorId, workspaceId, 'workspace:update')
  await db.update(workspace).set({ defaultModel: model, updatedAt: new Date() }).where(eq(workspace.id, workspaceId))
  return getModelDefaults(db, actorId, workspaceId)
}

/** Sets the caller's own default model in a workspace: any member. */
export async function setMemberDefaultModel(
  db: Db,
  actorId: string,
  workspaceId: string,
  input: unknown,
): Promise<ModelDefaults> {
  const { model } = parseInput(defaultModelInput, input)
  const access = await requireWorkspaceAccess(db, actorId, workspaceId)
  const updated = await db
    .update(member)
    .set({ defaultModel: model })
    .where(eq(member.id, access.memberId))
    .returning({ id: member.id })
  if (!updated.length) throw new AppError('NOT_FOUND', 'Workspace not found')
  return getModelDefaults(db, actorId, workspaceId)
}
