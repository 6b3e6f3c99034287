import { getSessionFromCtx } from 'better-auth/api'
import { and, eq, lt, or } from 'drizzle-orm'
import { z } from 'zod'
import { can, type Capability } from '../../shared/capabilities'
import { AppError, notFound } from '../../shared/errors'
import { refuseInvitationRole, refuseRemoval, refuseRoleChange } from '../../shared/member-policy'
import { isWorkspaceRole } from '../../shared/roles'
import { changePasswordInput, signInInput, signUpInput } from '../../shared/schemas/auth'
import {
  assignableRole,
  createWorkspaceInput,
  email,
  entityId,
  updateWorkspaceInput,
  workspaceRole,
  workspaceSlug,
} from '../../shared/schemas/workspace'
import { parseInput } from '../../shared/validation'
import { requireWorkspaceAccess, type WorkspaceAccess } from '../access'
import type { Db } from '../client'
import { assertInvitationCapacity } from '../invitations'
import { invitation, member, user, workspace } from '../schema'

/**
 * Every better-auth request passes here before its endpoint runs: input is
 * checked against our zod schemas (400 with the offending fields), and each
 * /organization/* endpoint is mapped to the workspace it touches and the
 * capability it needs, answered by the one access check in db/access.ts.
 * Unlisted organization endpoints are refused: deny by default.
 */
export interface GuardRequest {
  path: string
  body: unknown
  query: unknown
  userId: string | null
  activeWorkspaceId: string | null
}

interface Rule {
  /** Schema of the body (POST) or query (GET). */
  input?: z.ZodType
  /** Which workspace the call acts on; omitted for calls that need none. */
  workspace?: (input: Record<string, unknown>, req: GuardRequest, db: Db) => Promise<string | null> | string | null
  capability?: Capability
  /** Extra rules once membership and capability hold. */
  check?: (db: Db, access: WorkspaceAccess, input: Record<string, unknown>, req: GuardRequest) => Promise<void>
  /** Needs no session (sign-up, sign-in). */
  public?: boolean
}

const optionalId = entityId.optional()
const fromBodyOrActive = (i: Record<string, unknown>, req: GuardRequest) =>
  (i.organizationId as string | undefined) ?? req.activeWorkspaceId

async function bySlugOrId(i: Record<string, unknown>, req: GuardRequest, db: Db) {
  if (typeof i.organizationSlug === 'string') {
    const [row] = await db.select({ id: workspace.id }).from(workspace).where(eq(workspace.slug, i.organizationSlug))
    return row?.id ?? 'missing'
  }
  return fromBodyOrActive(i, req)
}

async function invitationWorkspace(i: Record<string, unknown>, _req: GuardRequest, db: Db) {
  const [row] = await db
    .select({ workspaceId: invitation.workspaceId })
    .from(invitation)
    .where(eq(invitation.id, String(i.invitationId)))
  return row?.workspaceId ?? 'missing'
}

async function targetMember(db: Db, workspaceId: string, idOrEmail: string) {
  const [row] = await db
    .select({ id: member.id, role: member.role, userId: member.userId })
    .from(member)
    .innerJoin(user, eq(user.id, member.userId))
    .where(
      and(eq(member.workspaceId, workspaceId), or(eq(member.id, idOrEmail), eq(user.email, idOrEmail.toLowerCase()))),
    )
    .limit(1)
  if (!row || !isWorkspaceRole(row.role)) throw notFound('Member')
  return { ...row, role: row.role }
}

function refuse(reason: string | null) {
  if (reason) throw new AppError('FORBIDDEN', reason)
}

function refusePersonal(access: WorkspaceAccess, what: string) {
  if (access.isPersonal) throw new AppError('FORBIDDEN', `A personal workspace cannot be ${what}`)
}

const readQuery = z.object({
  organizationId: optionalId,
  organizationSlug: z.string().max(128).optional(),
  membersLimit: z.coerce.number().int().min(1).max(1000).optional(),
})

export const RULES: Record<string, Rule> = {
  '/sign-up/email': { public: true, input: signUpInput.passthrough() },
  '/sign-in/email': { public: true, input: signInInput.passthrough() },
  '/change-password': { input: changePasswordInput.passthrough() },

  '/organization/create': {
    input: createWorkspaceInput.extend({ keepCurrentActiveOrganization: z.boolean().optional() }).strict(),
  },
  '/organization/check-slug': { input: z.strictObject({ slug: workspaceSlug }) },
  '/organization/list': {},
  '/organization/list-user-invitations': {},
  // The invitee, not a member, calls these; better-auth checks the email matches.
  '/organization/get-invitation': { input: z.object({ id: entityId }) },
  '/organization/accept-invitation': { input: z.strictObject({ invitationId: entityId }) },
  '/organization/reject-invitation': { input: z.strictObject({ invitationId: entityId }) },

  '/organization/set-active': {
    input: z.strictObject({
      organizationId: entityId.nullable().optional(),
      organizationSlug: workspaceSlug.optional(),
    }),
    // Resolved as the endpoint does: an id wins over a slug given alongside,
    // so the guard checks the workspace that actually becomes active.
    workspace: (i, req, db) => {
      if (i.organizationId === null && !i.organizationSlug) return null
      return typeof i.organizationId === 'string' ? i.organizationId : bySlugOrId(i, req, db)
    },
    capability: 'workspace:read',
  },
  '/organization/get-full-organization': { input: readQuery, workspace: bySlugOrId, capability: 'workspace:read' },
  '/organization/get-organization': { input: readQuery, workspace: bySlugOrId, capability: 'workspace:read' },
  '/organization/get-active-member': { input: readQuery, workspace: bySlugOrId, capability: 'workspace:read' },
  '/organization/get-active-member-role': {
    input: z.object({ organizationId: optionalId, userId: optionalId }),
    workspace: fromBodyOrActive,
    capability: 'member:read',
  },
  '/organization/list-members': {
    input: readQuery
      .extend({
        limit: z.coerce.number().int().min(1).max(1000).optional(),
        offset: z.coerce.number().int().min(0).optional(),
      })
      .passthrough(),
    workspace: bySlugOrId,
    capability: 'member:read',
  },
  '/organization/has-permission': {
    input: z
      .object({ organizationId: optionalId, permissions: z.record(z.string(), z.array(z.string())) })
      .passthrough(),
    workspace: fromBodyOrActive,
    capability: 'workspace:read',
  },
  '/organization/update': {
    // `data` is strict too: the plugin would otherwise store an unchecked
    // `logo` and an unbounded `metadata` object that create refuses.
    input: z.strictObject({ organizationId: optionalId, data: updateWorkspaceInput.strict() }),
    workspace: fromBodyOrActive,
    capability: 'workspace:update',
  },
  '/organization/delete': {
    input: z.strictObject({ organizationId: entityId }),
    workspace: fromBodyOrActive,
    capability: 'workspace:delete',
    check: async (_db, access) => refusePersonal(access, 'deleted'),
  },
  '/organization/leave': {
    input: z.strictObject({ organizationId: entityId }),
    workspace: fromBodyOrActive,
    capability: 'workspace:read',
    check: async (_db, access) => {
      refusePersonal(access, 'left')
      if (access.role === 'owner') throw new AppError('FORBIDDEN', 'Transfer ownership before leaving')
    },
  },
  '/organization/list-invitations': {
    input: z.object({ organizationId: optionalId }),
    workspace: fromBodyOrActive,
    capability: 'invitation:read',
  },
  '/organization/invite-member': {
    // `resend` is not accepted here: resending issues a new token through
    // POST /api/workspaces/:id/invitations/:invitationId/resend.
    input: z.strictObject({ email, role: assignableRole, organizationId: optionalId }),
    workspace: fromBodyOrActive,
    capability: 'invitation:create',
    check: async (db, access, i) => {
      refusePersonal(access, 'invited into')
      refuse(refuseInvitationRole(access.role, i.role as 'member'))
      const address = String(i.email)
      const [existing] = await db
        .select({ id: member.id })
        .from(member)
        .innerJoin(user, eq(user.id, member.userId))
        .where(and(eq(member.workspaceId, access.workspaceId), eq(user.email, address)))
      if (existing) throw new AppError('CONFLICT', 'This person is already a member', { email: 'Already a member' })
      // An expired pending invitation must not block a new one.
      await db
        .update(invitation)
        .set({ status: 'canceled' })
        .where(
          and(
            eq(invitation.workspaceId, access.workspaceId),
            eq(invitation.email, address),
            eq(invitation.status, 'pending'),
            lt(invitation.expiresAt, new Date()),
          ),
        )
      const [pending] = await db
        .select({ id: invitation.id })
        .from(invitation)
        .where(
          and(
            eq(invitation.workspaceId, access.workspaceId),
            eq(invitation.email, address),
            eq(invitation.status, 'pending'),
          ),
        )
      if (pending) {
        throw new AppError('CONFLICT', 'This email already has a pending invitation; resend it instead', {
          email: 'Already invited',
        })
      }
      await assertInvitationCapacity(db, access.workspaceId, access.plan)
    },
  },
  '/organization/cancel-invitation': {
    input: z.strictObject({ invitationId: entityId }),
    workspace: invitationWorkspace,
    capability: 'invitation:cancel',
  },
  '/organization/remove-member': {
    input: z.strictObject({
      memberIdOrEmail: z.string().trim().min(1, 'Required').max(254),
      organizationId: optionalId,
    }),
    workspace: fromBodyOrActive,
    capability: 'workspace:read',
    check: async (db, access, i) => {
      const target = await targetMember(db, access.workspaceId, String(i.memberIdOrEmail))
      if (target.id === access.memberId) {
        refusePersonal(access, 'left')
        if (access.role === 'owner') throw new AppError('FORBIDDEN', 'Transfer ownership before leaving')
        // The plugin lets only roles that may remove members remove themselves,
        // and answers everyone else 401 as if signed out; say what to do instead.
        if (!can(access.role, 'member:remove')) {
          throw new AppError('FORBIDDEN', 'To leave this workspace, use leave')
        }
        return
      }
      refuse(refuseRemoval(access.role, target.role))
    },
  },
  '/organization/update-member-role': {
    input: z.strictObject({ memberId: entityId, role: workspaceRole, organizationId: optionalId }),
    workspace: fromBodyOrActive,
    capability: 'member:update-role',
    check: async (db, access, i) => {
      const target = await targetMember(db, access.workspaceId, String(i.memberId))
      refuse(refuseRoleChange(access.role, target.role, i.role as 'member'))
    },
  },
}

/**
 * Runs the rule for `req.path`; throws AppError when refused. Paths outside
 * the table and /organization pass through. Returns the body as the schema
 * normalised it (trimmed, lower-cased): the endpoint must act on that, not on
 * the raw body, or it would store text that was never validated in that form.
 */
export async function guardAuthRequest(db: Db, req: GuardRequest): Promise<{ body?: Record<string, unknown> }> {
  const rule = RULES[req.path]
  if (!rule) {
    if (req.path.startsWith('/organization/')) throw new AppError('NOT_FOUND', 'Not found')
    return {}
  }
  const input = (rule.input ? parseInput(rule.input, req.body ?? req.query ?? {}) : {}) as Record<string, unknown>
  const checked = rule.input && req.body != null ? { body: input } : {}
  if (rule.public) return checked
  if (!req.userId) throw new AppError('UNAUTHORIZED', 'Sign in first')
  if (!rule.workspace) return checked
  const workspaceId = await rule.workspace(input, req, db)
  if (workspaceId === null) {
    if (req.path === '/organization/set-active') return checked
    throw new AppError('BAD_REQUEST', 'No workspace given and none active', { organizationId: 'Required' })
  }
  const access = await requireWorkspaceAccess(db, req.userId, workspaceId, rule.capability)
  await rule.check?.(db, access, input, req)
  return checked
}

/** Reads what the guard needs from better-auth's middleware context. */
export async function guardRequestFromContext(ctx: Parameters<typeof getSessionFromCtx>[0]): Promise<GuardRequest> {
  const path = (ctx as { path?: string }).path ?? ''
  const needsSession = RULES[path] && !RULES[path].public
  const session = needsSession ? await getSessionFromCtx(ctx).catch(() => null) : null
  const method = (ctx as { method?: string }).method ?? (ctx as { request?: Request }).request?.method
  return {
    path,
    body: method === 'GET' ? undefined : (ctx as { body?: unknown }).body,
    query: (ctx as { query?: unknown }).query,
    userId: session?.user.id ?? null,
    activeWorkspaceId:
      (session?.session as { activeOrganizationId?: string | null } | undefined)?.activeOrganizationId ?? null,
  }
}
