import { randomBytes } from 'node:crypto'
import { and, eq, sql } from 'drizzle-orm'
import { AppError, notFound } from '../shared/errors'
import { planFor } from '../shared/plans'
import { isWorkspaceRole } from '../shared/roles'
import { refuseInvitationRole } from '../shared/member-policy'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import type { ServerEnv } from './env'
import { sendMail } from './mailer'
import { invitation, member, user, workspace } from './schema'

/** Invitations are valid for seven days from creation or resend. */
export const INVITATION_TTL_SECONDS = 7 * 24 * 60 * 60

export function newInvitationId(): string {
  // The id is the token in the accept link, so it must be unguessable.
  return randomBytes(24).toString('base64url')
}

export function acceptInvitationUrl(baseUrl: string, invitationId: string): string {
  return `${baseUrl.replace(/\/$/, '')}/invite/${invitationId}`
}

/** What sending an invitation needs of the environment: the public URL and the mail settings. */
export type InvitationMailEnv = Pick<ServerEnv, 'BETTER_AUTH_URL' | 'SMTP_URL' | 'MAIL_FROM' | 'NODE_ENV'>

export async function sendInvitationEmail(
  db: Db,
  env: InvitationMailEnv,
  inv: { id: string; email: string; role: string; workspaceId: string; workspaceName: string; inviterName: string },
) {
  const link = acceptInvitationUrl(env.BETTER_AUTH_URL, inv.id)
  return sendMail(db, env, {
    to: inv.email,
    workspaceId: inv.workspaceId,
    subject: `${inv.inviterName} invited you to ${inv.workspaceName} on Workspaces`,
    text:
      `${inv.inviterName} invited you to join the workspace "${inv.workspaceName}" as ${inv.role}.\n\n` +
      `Accept the invitation: ${link}\n\nThe link is valid for 7 days.`,
  })
}

/**
 * Stores a new pending invitation, valid for seven days, without checks or
 * email: callers check (the plan's capacity, the inviter's rights) and send
 * `sendInvitationEmail` once their transaction has committed.
 */
export async function insertInvitation(
  db: Db,
  inv: { workspaceId: string; email: string; role: string; inviterId: string },
) {
  const [row] = await db
    .insert(invitation)
    .values({
      id: newInvitationId(),
      ...inv,
      status: 'pending',
      expiresAt: new Date(Date.now() + INVITATION_TTL_SECONDS * 1000),
    })
    .returning()
  return row
}

/**
 * Checks that count against a workspace's plan before an invitation is
 * created: members plus pending invitations may not exceed the member limit,
 * and pending invitations have their own cap.
 */
export async function assertInvitationCapacity(db: Db, workspaceId: string, plan: string) {
  const limits = planFor(plan).limits
  const [{ members }] = await db
    .select({ members: sql<number>`count(*)::int` })
    .from(member)
    .where(eq(member.workspaceId, workspaceId))
  const [{ pending }] = await db
    .select({ pending: sql<number>`count(*)::int` })
    .from(invitation)
    .where(
      and(
        eq(invitation.workspaceId, workspaceId),
        eq(invitation.status, 'pending'),
        sql`${invitation.expiresAt} > now()`,
      ),
    )
  if (pending >= limits.pendingInvitations) {
    throw new AppError('LIMIT_REACHED', `At most ${limits.pendingInvitations} pending invitations on this plan`)
  }
  if (members + pending >= limits.members) {
    throw new AppError('LIMIT_REACHED', `This plan allows ${limits.members} members, pending invitations included`)
  }
}

/**
 * Resending replaces the invitation: a new token (the old link stops
 * working) and a fresh 7-day expiry, in one transaction.
 */
export async function resendInvitation(
  db: Db,
  actorUserId: string,
  workspaceId: string,
  invitationId: string,
  env: InvitationMailEnv,
) {
  const access = await requireWorkspaceAccess(db, actorUserId, workspaceId, 'invitation:create')
  const result = await db.transaction(async (tx) => {
    const [old] = await tx
      .select()
      .from(invitation)
      .where(and(eq(invitation.id, invitationId), eq(invitation.workspaceId, workspaceId)))
      .for('update')
      .limit(1)
    if (!old) throw notFound('Invitation')
    if (old.status !== 'pending') throw new AppError('CONFLICT', `This invitation was already ${old.status}`)
    if (!isWorkspaceRole(old.role)) throw new AppError('BAD_REQUEST', 'Invitation has an unknown role')
    const refusal = refuseInvitationRole(access.role, old.role)
    if (refusal) throw new AppError('FORBIDDEN', refusal)
    await tx.update(invitation).set({ status: 'canceled' }).where(eq(invitation.id, old.id))
    return insertInvitation(tx, { workspaceId, email: old.email, role: old.role, inviterId: actorUserId })
  })
  const [ws] = await db.select({ name: workspace.name }).from(workspace).where(eq(workspace.id, workspaceId))
  const [inviter] = await db.select({ name: user.name }).from(user).where(eq(user.id, actorUserId))
  await sendInvitationEmail(db, env, {
    id: result.id,
    email: result.email,
    role: result.role,
    workspaceId,
    workspaceName: ws?.name ?? 'a workspace',
    inviterName: inviter?.name ?? 'Someone',
  })
  return result
}

export type InvitationState = 'pending' | 'expired' | 'accepted' | 'canceled' | 'rejected'

/**
 * What the accept page shows to whoever holds the link (the id is the
 * secret): enough to decide, nothing more.
 */
export async function getInvitationPreview(db: Db, invitationId: string) {
  const [row] = await db
    .select({
      id: invitation.id,
      email: invitation.email,
      role: invitation.role,
      status: invitation.status,
      expiresAt: invitation.expiresAt,
      workspaceName: workspace.name,
      inviterName: user.name,
    })
    .from(invitation)
    .innerJoin(workspace, eq(workspace.id, invitation.workspaceId))
    .innerJoin(user, eq(user.id, invitation.inviterId))
    .where(eq(invitation.id, invitationId))
    .limit(1)
  if (!row) throw notFound('Invitation')
  const state: InvitationState =
    row.status === 'pending' && row.expiresAt.getTime() <= Date.now() ? 'expired' : (row.status as InvitationState)
  return { ...row, state }
}

/** Pending and past invitations of a workspace, newest first. */
export async function listInvitations(db: Db, actorUserId: string, workspaceId: string) {
  await requireWorkspaceAccess(db, actorUserId, workspaceId, 'invitation:read')
  const rows = await db
    .select()
    .from(invitation)
    .where(eq(invitation.workspaceId, workspaceId))
    .orderBy(sql`${invitation.createdAt} desc`)
  return rows.map((r) => ({
    ...r,
    state: (r.status === 'pending' && r.expiresAt.getTime() <= Date.now() ? 'expired' : r.status) as InvitationState,
  }))
}
