import { z } from 'zod'
import { AppError } from '../../../shared/errors'
import { anyWorkspaceSlug, entityId, transferOwnershipInput } from '../../../shared/schemas/workspace'
import { parseInput } from '../../../shared/validation'
import { listDevOutbox } from '../../../db/mail-outbox'
import { getInvitationPreview, listInvitations, resendInvitation } from '../../../db/invitations'
import { listMyWorkspaces, requireWorkspaceBySlug, transferOwnership } from '../../../db/workspaces'
import { readUsageReport } from '../../../db/usage-report'
import { createSessionTokenReader, createSessionUserResolver } from '../../../db/auth/session-user'
import { getModelDefaults, setMemberDefaultModel, setWorkspaceDefaultModel } from '../../../db/model-defaults'
import { listModels } from '../../../shared/models'
import { usageQuery } from '../../../shared/schemas/usage'
import { generateInput, startGeneration, stopGeneration, stopInput } from '../ai/generation'
import { docId } from '../../../shared/doc/ids'
import { getBillingOverview } from '../../../db/billing'
import { openPortal, startCheckout } from '../billing/checkout'
import { handleStripeWebhook } from '../billing/webhook'
import { exportWorkspace } from '../../../db/workspace-export'
import { importWorkspace } from '../../../db/workspace-import'
import { exportSidekiq } from '../../../db/sidekiq-export'
import { importSidekiqFile } from '../../../db/sidekiq-import'
import { MAX_SIDEKIQ_FILE_BYTES, MAX_WORKSPACE_FILE_BYTES } from '../../../shared/schemas/workspace-export'
import { moveChatTo } from '../chat-move'
import { liveSharedRooms } from '../live-rooms'
import type { ApiContext } from './context'
import { errorResponse, json, jsonAttachment, readJson } from './respond'

type Params = Record<string, string>
interface Call {
  request: Request
  params: Params
  ctx: ApiContext
  /** Resolves the signed-in user or throws 401. */
  userId: () => Promise<string>
  /**
   * The request's session token, its signature checked but not yet looked
   * up, or throws 401: for a domain call that reads the session together
   * with what it needs next.
   */
  sessionToken: () => Promise<string>
}
interface Route {
  method: 'GET' | 'POST'
  pattern: string[]
  handle: (call: Call) => Promise<Response>
  /** Called by another service, not a browser (Stripe's webhook): it proves itself another way. */
  crossOrigin?: boolean
}

const route = (
  method: Route['method'],
  pathname: string,
  handle: Route['handle'],
  opts: { crossOrigin?: boolean } = {},
): Route => ({
  method,
  pattern: pathname.split('/'),
  handle,
  ...opts,
})

const workspaceParams = z.object({ workspaceId: entityId })

/**
 * The app's own HTTP API, next to better-auth's /api/auth/*. Handlers only
 * parse, call a domain function in db/, and map its errors.
 */
const ROUTES: Route[] = [
  route('GET', '/api/health', async () => json({ ok: true })),
  route('GET', '/api/workspaces', async ({ ctx, userId }) =>
    json({ workspaces: await listMyWorkspaces(ctx.db, await userId()) }),
  ),
  route('GET', '/api/workspaces/by-slug/:slug', async ({ ctx, userId, params }) => {
    const { slug } = parseInput(z.object({ slug: anyWorkspaceSlug }), params)
    const { workspace, access } = await requireWorkspaceBySlug(ctx.db, await userId(), slug)
    return json({ workspace, role: access.role, memberId: access.memberId })
  }),
  route('POST', '/api/workspaces/:workspaceId/transfer-ownership', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const { memberId } = parseInput(transferOwnershipInput, await readJson(request))
    const actor = await userId()
    const result = await transferOwnership(ctx.db, actor, workspaceId, memberId)
    // Both people's rights changed: their live connections reconnect with the new ones.
    for (const user of [actor, result.ownerUserId]) {
      await ctx.revocations.publish({ workspaceId, userId: user, kind: 'role-changed' })
    }
    return json(result)
  }),
  route('GET', '/api/workspaces/:workspaceId/invitations', async ({ ctx, userId, params }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json({ invitations: await listInvitations(ctx.db, await userId(), workspaceId) })
  }),
  route('POST', '/api/workspaces/:workspaceId/invitations/:invitationId/resend', async ({ ctx, userId, params }) => {
    const { workspaceId, invitationId } = parseInput(workspaceParams.extend({ invitationId: entityId }), params)
    const invitation = await resendInvitation(ctx.db, await userId(), workspaceId, invitationId, ctx.env)
    return json({ invitation })
  }),
  route('POST', '/api/workspaces/:workspaceId/generate', async ({ ctx, sessionToken, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const input = parseInput(generateInput, await readJson(request))
    const started = await startGeneration(requireAi(ctx), { sessionToken: await sessionToken() }, workspaceId, input)
    const { messageId, generationId, model, status } = started
    return json({ messageId, generationId, model, status }, 202)
  }),
  route('POST', '/api/workspaces/:workspaceId/generate/:messageId/stop', async ({ ctx, userId, params, request }) => {
    const { workspaceId, messageId } = parseInput(workspaceParams.extend({ messageId: docId }), params)
    const input = parseInput(stopInput, await readJson(request))
    return json(await stopGeneration(requireAi(ctx), await userId(), workspaceId, messageId, input))
  }),
  route('POST', '/api/workspaces/:workspaceId/chats/:chatId/move', async ({ ctx, userId, params, request }) => {
    const { workspaceId, chatId } = parseInput(workspaceParams.extend({ chatId: docId }), params)
    const body = await readJson(request)
    return json(await moveChatTo(ctx.db, ctx.sync, await userId(), workspaceId, chatId, body))
  }),
  route('GET', '/api/workspaces/:workspaceId/models', async ({ ctx, userId, params }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const defaults = await getModelDefaults(ctx.db, await userId(), workspaceId)
    const models = listModels(requireAi(ctx).models.isAvailable)
    return json({ models, defaults })
  }),
  route('POST', '/api/workspaces/:workspaceId/default-model', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json(await setWorkspaceDefaultModel(ctx.db, await userId(), workspaceId, await readJson(request)))
  }),
  route('POST', '/api/workspaces/:workspaceId/my-default-model', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json(await setMemberDefaultModel(ctx.db, await userId(), workspaceId, await readJson(request)))
  }),
  route('GET', '/api/workspaces/:workspaceId/usage', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const query = parseInput(usageQuery, Object.fromEntries(new URL(request.url).searchParams))
    return json(await readUsageReport(ctx.db, await userId(), workspaceId, query))
  }),
  route('GET', '/api/workspaces/:workspaceId/billing', async ({ ctx, userId, params }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json(await getBillingOverview(ctx.db, await userId(), workspaceId, { configured: !!ctx.billing }))
  }),
  route('POST', '/api/workspaces/:workspaceId/billing/checkout', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json(await startCheckout(ctx.db, ctx.billing ?? null, await userId(), workspaceId, await readJson(request)))
  }),
  route('POST', '/api/workspaces/:workspaceId/billing/portal', async ({ ctx, userId, params }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    return json(await openPortal(ctx.db, ctx.billing ?? null, await userId(), workspaceId))
  }),
  route(
    'POST',
    '/api/billing/stripe/webhook',
    async ({ ctx, request }) => {
      if (!ctx.billing) throw new AppError('NOT_CONFIGURED', 'Billing is not configured on this server')
      // The signature covers the exact bytes Stripe sent: read as text, never re-serialised.
      const body = await request.text()
      return json(await handleStripeWebhook(ctx.billing, body, request.headers.get('stripe-signature')))
    },
    { crossOrigin: true },
  ),
  route('GET', '/api/workspaces/:workspaceId/export', async ({ ctx, userId, params }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const { file, fileName } = await exportWorkspace(ctx.db, await userId(), workspaceId)
    return jsonAttachment(file, fileName)
  }),
  route('POST', '/api/workspaces/import', async ({ ctx, userId, request }) => {
    const actor = await userId()
    const file = await readJson(request, MAX_WORKSPACE_FILE_BYTES)
    return json(await importWorkspace(ctx.db, ctx.env, actor, file), 201)
  }),
  route('GET', '/api/workspaces/:workspaceId/sidekiqs/:sidekiqId/export', async ({ ctx, userId, params }) => {
    const { workspaceId, sidekiqId } = parseInput(workspaceParams.extend({ sidekiqId: docId }), params)
    const { file, fileName } = await exportSidekiq(ctx.db, await userId(), workspaceId, sidekiqId)
    return jsonAttachment(file, fileName, { pretty: true })
  }),
  route('POST', '/api/workspaces/:workspaceId/sidekiqs/import', async ({ ctx, userId, params, request }) => {
    const { workspaceId } = parseInput(workspaceParams, params)
    const file = await readJson(request, MAX_SIDEKIQ_FILE_BYTES)
    const rooms = liveSharedRooms(requireSync(ctx))
    return json({ sidekiq: await importSidekiqFile(ctx.db, rooms, await userId(), workspaceId, file) }, 201)
  }),
  route('GET', '/api/invitations/:invitationId', async ({ ctx, params }) => {
    const { invitationId } = parseInput(z.object({ invitationId: entityId }), params)
    const preview = await getInvitationPreview(ctx.db, invitationId)
    return json({ invitation: preview })
  }),
  route('GET', '/api/dev/outbox', async ({ ctx, userId }) => {
    // Invitation links are secrets: the outbox is a development aid only.
    if (ctx.env.NODE_ENV === 'production') throw new AppError('NOT_FOUND', 'Not found')
    await userId()
    return json({ messages: await listDevOutbox(ctx.db) })
  }),
]

function requireAi(ctx: ApiContext) {
  if (!ctx.ai) throw new AppError('INTERNAL', 'AI answers are not available on this server')
  return ctx.ai
}

function requireSync(ctx: ApiContext) {
  if (!ctx.sync) throw new AppError('INTERNAL', 'Rooms cannot be changed on this server')
  return ctx.sync
}

function sameOrigin(request: Request, env: ApiContext['env']): boolean {
  const origin = request.headers.get('origin')
  if (!origin) return request.headers.get('sec-fetch-site') === 'same-origin'
  const allowed = [env.BETTER_AUTH_URL, ...(env.TRUSTED_ORIGINS?.split(',') ?? [])].map((o) => new URL(o.trim()).origin)
  return allowed.includes(origin) || origin === new URL(request.url).origin
}

/** Matches '/a/:b' style patterns; returns decoded params or null. */
function matchPath(pattern: string[], pathname: string): Params | null {
  const parts = pathname.replace(/\/+$/, '').split('/')
  if (parts.length !== pattern.length) return null
  const params: Params = {}
  for (let i = 0; i < parts.length; i++) {
    const want = pattern[i]
    if (want.startsWith(':')) {
      if (!parts[i]) return null
      try {
        params[want.slice(1)] = decodeURIComponent(parts[i])
      } catch {
        return null
      }
    } else if (want !== parts[i]) return null
  }
  return params
}

export type ApiHandler = (request: Request) => Promise<Response | null>

/**
 * Runs the calls given the same key one after another. Invitations are
 * checked (duplicate email, plan seats) by the guard and then inserted by
 * better-auth, two steps; without this, simultaneous invitations all pass the
 * checks and overrun the plan's member limit. One API process serves the
 * app, so an in-process queue per workspace is enough.
 */
function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>()
  return async <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (tails.get(key) ?? Promise.resolve()).then(run, run)
    const tail = result.catch(() => undefined)
    tails.set(key, tail)
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key)
    })
    return result
  }
}

const INVITE_PATH = '/api/auth/organization/invite-member'

/** The workspace an invite-member call names; '' when it names none (the guard resolves or refuses those). */
async function invitationKey(request: Request): Promise<string> {
  const body: unknown = await request
    .clone()
    .json()
    .catch(() => null)
  const id = body && typeof body === 'object' ? (body as { organizationId?: unknown }).organizationId : undefined
  return typeof id === 'string' ? id : ''
}

/** Returns the handler for everything under /api; null for paths it does not serve. */
export function createApiHandler(ctx: ApiContext): ApiHandler {
  const invites = keyedQueue()
  // The read-only session check the sync server uses too: a whole better-auth
  // getSession is most of a short request's time (docs/decisions/009). Pages
  // and better-auth's own endpoints still refresh sessions.
  const resolveUser = createSessionUserResolver(ctx.auth, ctx.db)
  const readSessionToken = createSessionTokenReader(ctx.auth)
  return async (request) => {
    const url = new URL(request.url)
    if (!url.pathname.startsWith('/api/')) return null
    if (url.pathname.startsWith('/api/auth/')) {
      // better-auth rethrows unexpected errors (onAPIError.throw) so they get
      // the same mapping as ours: a lost race on a unique constraint is a 409.
      try {
        const call = () => ctx.auth.handler(request)
        return await (url.pathname === INVITE_PATH ? invites(await invitationKey(request), call) : call())
      } catch (error) {
        return errorResponse(error)
      }
    }
    const matches = ROUTES.flatMap((r) => {
      const params = matchPath(r.pattern, url.pathname)
      return params ? [{ r, params }] : []
    })
    if (matches.length === 0) return json({ code: 'NOT_FOUND', message: 'No such endpoint' }, 404)
    const hit = matches.find((x) => x.r.method === request.method)
    if (!hit) return json({ code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed' }, 405)
    try {
      if (request.method !== 'GET' && !hit.r.crossOrigin && !sameOrigin(request, ctx.env)) {
        throw new AppError('FORBIDDEN', 'Cross-origin request refused')
      }
      const bearer = /^bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]?.trim()
      const credentials = { cookie: request.headers.get('cookie') ?? undefined, token: bearer ?? null }
      let cached: string | undefined
      const userId = async () => {
        if (cached) return cached
        const id = await resolveUser(credentials)
        if (!id) throw new AppError('UNAUTHORIZED', 'Sign in first')
        return (cached = id)
      }
      const sessionToken = async () => {
        const token = await readSessionToken(credentials)
        if (!token) throw new AppError('UNAUTHORIZED', 'Sign in first')
        return token
      }
      return await hit.r.handle({ request, params: hit.params, ctx, userId, sessionToken })
    } catch (error) {
      return errorResponse(error)
    }
  }
}
