import { betterAuth } from 'better-auth'
import { drizzleAdapter } from 'better-auth/adapters/drizzle'
import { APIError, createAuthMiddleware } from 'better-auth/api'
import { bearer, organization } from 'better-auth/plugins'
import { AppError } from '../../shared/errors'
import { planFor } from '../../shared/plans'
import type { Db } from '../client'
import type { ServerEnv } from '../env'
import { createRevocationBus, type Revocation, type RevocationBus } from '../revocations'
import { INVITATION_TTL_SECONDS, sendInvitationEmail } from '../invitations'
import * as schema from '../schema'
import { ensurePersonalWorkspace, getPersonalWorkspace } from '../workspaces'
import { ac, roles } from './access-control'
import { toAPIError } from './errors'
import { guardAuthRequest, guardRequestFromContext } from './workspace-guard'

function rethrow(error: unknown): never {
  throw error instanceof AppError ? toAPIError(error) : error
}

/**
 * better-auth with the organization plugin as the workspace core: an
 * organization is a workspace (tables `workspace`, `workspace_member`,
 * `workspace_invitation`). Our rules sit in front of the plugin's endpoints
 * (workspace-guard) and in its hooks, for calls made from server code.
 */
export function createAuth(db: Db, env: ServerEnv, revocations: RevocationBus = createRevocationBus()) {
  // A failed publish must not undo a committed membership change; nodes also
  // re-check membership whenever a connection opens.
  const revoke = (r: Revocation) =>
    revocations.publish(r).catch((error: unknown) => console.warn('[revocations] publish failed', error))
  const trustedOrigins = [env.BETTER_AUTH_URL, ...(env.TRUSTED_ORIGINS?.split(',').map((o) => o.trim()) ?? [])]
  return betterAuth({
    baseURL: env.BETTER_AUTH_URL,
    secret: env.BETTER_AUTH_SECRET,
    trustedOrigins,
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: {
        user: schema.user,
        session: schema.session,
        account: schema.account,
        verification: schema.verification,
        workspace: schema.workspace,
        member: schema.member,
        invitation: schema.invitation,
      },
    }),
    emailAndPassword: { enabled: true, autoSignIn: true, minPasswordLength: 8, maxPasswordLength: 128 },
    session: { expiresIn: 60 * 60 * 24 * 30, updateAge: 60 * 60 * 24 },
    // Tests and the e2e suite sign up many users from one address.
    rateLimit: { enabled: env.NODE_ENV === 'production' },
    advanced: { cookiePrefix: 'workspaces' },
    // Unexpected errors reach our API handler, which maps lost unique-constraint
    // races to 409 and logs the rest, instead of an empty 500.
    onAPIError: { throw: true },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        // Calls from our own server code carry neither request nor headers and are trusted.
        if (!ctx.request && !ctx.headers) return
        try {
          const { body } = await guardAuthRequest(db, await guardRequestFromContext(ctx))
          // The endpoint gets the input as checked (trimmed, lower-cased), not the raw body.
          if (body) return { context: { body } }
        } catch (error) {
          rethrow(error)
        }
      }),
      // Leaving has no organization hook; the leaver's own connections end here.
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/organization/leave' || ctx.context.returned instanceof Error) return
        const userId = ctx.context.session?.user.id
        const workspaceId = (ctx.body as { organizationId?: string } | undefined)?.organizationId
        if (userId && workspaceId) await revoke({ workspaceId, userId, kind: 'removed' })
      }),
    },
    databaseHooks: {
      user: {
        create: {
          // Runs after the sign-up transaction, when the first session exists:
          // ensurePersonalWorkspace also makes it that session's active one.
          after: async (u) => {
            await ensurePersonalWorkspace(db, u)
          },
        },
      },
      session: {
        create: {
          // Every later sign-in starts in the personal workspace.
          before: async (s) => {
            const personal = await getPersonalWorkspace(db, s.userId)
            return { data: { ...s, activeOrganizationId: personal?.id ?? null } }
          },
        },
      },
    },
    plugins: [
      // Non-browser sync clients send their session token as ?token=; see sync-server/authenticate.ts.
      bearer(),
      organization({
        ac,
        roles,
        creatorRole: 'owner',
        invitationExpiresIn: INVITATION_TTL_SECONDS,
        cancelPendingInvitationsOnReInvite: false,
        requireEmailVerificationOnInvitation: false,
        membershipLimit: async (_user, org) => planFor((org as { plan?: string }).plan).limits.members,
        invitationLimit: async ({ organization: org }) =>
          planFor((org as { plan?: string }).plan).limits.pendingInvitations,
        schema: {
          organization: {
            modelName: 'workspace',
            additionalFields: {
              isPersonal: { type: 'boolean', required: false, defaultValue: false, input: false },
              ownerId: { type: 'string', required: false, input: false },
              plan: { type: 'string', required: false, defaultValue: 'free', input: false },
            },
          },
          member: { fields: { organizationId: 'workspaceId' } },
          invitation: { fields: { organizationId: 'workspaceId' } },
          session: { fields: { activeOrganizationId: 'activeWorkspaceId' } },
        },
        sendInvitationEmail: async ({ id, email, role, organization: org, inviter }) => {
          await sendInvitationEmail(db, env, {
            id,
            email,
            role,
            workspaceId: org.id,
            workspaceName: org.name,
            inviterName: inviter.user.name,
          })
        },
        organizationHooks: {
          beforeCreateOrganization: async ({ organization: org, user }) => ({
            data: { ...org, ownerId: user?.id, isPersonal: false, plan: 'free' },
          }),
          beforeDeleteOrganization: async ({ organization: org }) => {
            if ((org as { isPersonal?: boolean }).isPersonal) {
              throw new APIError('FORBIDDEN', { code: 'FORBIDDEN', message: 'A personal workspace cannot be deleted' })
            }
          },
          beforeCreateInvitation: async ({ organization: org }) => {
            if ((org as { isPersonal?: boolean }).isPersonal) {
              throw new APIError('FORBIDDEN', {
                code: 'FORBIDDEN',
                message: 'A personal workspace cannot be invited into',
              })
            }
          },
          afterRemoveMember: async ({ member: m, organization: org }) => {
            await revoke({ workspaceId: org.id, userId: m.userId, kind: 'removed' })
          },
          afterUpdateMemberRole: async ({ member: m, organization: org }) => {
            await revoke({ workspaceId: org.id, userId: m.userId, kind: 'role-changed' })
          },
          afterDeleteOrganization: async ({ organization: org }) => {
            await revoke({ workspaceId: org.id, kind: 'deleted' })
          },
          beforeAddMember: async ({ organization: org, member: m }) => {
            if ((org as { isPersonal?: boolean }).isPersonal && m.role !== 'owner') {
              throw new APIError('FORBIDDEN', { code: 'FORBIDDEN', message: 'A personal workspace has one member' })
            }
          },
        },
      }),
    ],
  })
}

export type Auth = ReturnType<typeof createAuth>
