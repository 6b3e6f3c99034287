import { createServerFn } from '@tanstack/react-start'
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import { AppError } from '../../shared/errors'
import { entityId } from '../../shared/schemas/workspace'
import { getDb } from '../../db/client'
import { getInvitationPreview } from '../../db/invitations'
import { session as sessionTable } from '../../db/schema'
import { listMyWorkspaces, requireWorkspaceBySlug } from '../../db/workspaces'
import { getProcessSyncServer } from '../../sync-server'
import { locateChat } from './chat-location'
import { currentSession } from './session'

export interface Viewer {
  id: string
  name: string
  email: string
}

function viewerOf(s: { user: { id: string; name: string; email: string } }): Viewer {
  return { id: s.user.id, name: s.user.name, email: s.user.email }
}

/** Who is signed in and where they should land: the active workspace if still theirs, else the personal one. */
export const getLanding = createServerFn({ method: 'GET' }).handler(async () => {
  const s = await currentSession()
  if (!s) return { viewer: null, slug: null }
  const workspaces = await listMyWorkspaces(await getDb(), s.user.id)
  const activeId = (s.session as { activeOrganizationId?: string | null }).activeOrganizationId
  const target = workspaces.find((w) => w.id === activeId) ?? workspaces.find((w) => w.isPersonal) ?? workspaces[0]
  return { viewer: viewerOf(s), slug: target?.slug ?? null }
})

export const getViewer = createServerFn({ method: 'GET' }).handler(async () => {
  const s = await currentSession()
  return s ? viewerOf(s) : null
})

/**
 * Everything the workspace frame shows. A workspace the viewer does not
 * belong to (or that does not exist) answers `available: false`, the same
 * either way. Visiting a workspace makes it the session's active one.
 */
export const getWorkspaceShell = createServerFn({ method: 'GET' })
  .validator(z.object({ slug: z.string().min(1).max(64) }))
  .handler(async ({ data }) => {
    const s = await currentSession()
    if (!s) return { status: 'signed-out' as const }
    const db = await getDb()
    const workspaces = await listMyWorkspaces(db, s.user.id)
    try {
      const { workspace, access } = await requireWorkspaceBySlug(db, s.user.id, data.slug)
      await db
        .update(sessionTable)
        .set({ activeWorkspaceId: workspace.id })
        .where(and(eq(sessionTable.id, s.session.id), eq(sessionTable.userId, s.user.id)))
      return {
        status: 'ok' as const,
        viewer: viewerOf(s),
        workspaces,
        workspace: {
          id: workspace.id,
          name: workspace.name,
          slug: workspace.slug,
          isPersonal: workspace.isPersonal,
          plan: workspace.plan,
          memberCount: workspace.memberCount,
          limits: workspace.limits,
          createdAt: workspace.createdAt.toISOString(),
        },
        role: access.role,
        memberId: access.memberId,
      }
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') {
        return { status: 'not-available' as const, viewer: viewerOf(s), workspaces }
      }
      throw error
    }
  })

/**
 * Where a chat is (see chat-location), for the server render of its page;
 * null for anything the viewer cannot see, alike whether it exists or not.
 */
export const getChatLocation = createServerFn({ method: 'GET' })
  .validator(z.object({ slug: z.string().min(1).max(64), chatId: entityId }))
  .handler(async ({ data }) => {
    const s = await currentSession()
    if (!s) return null
    const db = await getDb()
    try {
      const { workspace } = await requireWorkspaceBySlug(db, s.user.id, data.slug)
      return await locateChat(db, await getProcessSyncServer(), s.user.id, workspace.id, data.chatId)
    } catch (error) {
      if (error instanceof AppError && ['NOT_FOUND', 'FORBIDDEN', 'BAD_REQUEST'].includes(error.code)) return null
      throw error
    }
  })

export const getInvitationPage = createServerFn({ method: 'GET' })
  .validator(z.object({ invitationId: entityId }))
  .handler(async ({ data }) => {
    const s = await currentSession()
    const db = await getDb()
    let invitation: Awaited<ReturnType<typeof getInvitationPreview>> | null = null
    try {
      invitation = await getInvitationPreview(db, data.invitationId)
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error
    }
    return {
      viewer: s ? viewerOf(s) : null,
      invitation: invitation && {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        state: invitation.state,
        workspaceName: invitation.workspaceName,
        inviterName: invitation.inviterName,
        expiresAt: invitation.expiresAt.toISOString(),
      },
    }
  })
