import { randomBytes, randomUUID } from 'node:crypto'
import { and, asc, eq } from 'drizzle-orm'
import { newInvitationId } from '../../db/invitations'
import { invitation, mailOutbox, member, workspace } from '../../db/schema'
import type { WorkspaceRole } from '../../shared/roles'
import { TestClient, type ApiResult, type Harness } from './harness'

/**
 * Small building blocks shared by the integration tests. Setup that is not
 * itself under test (extra members, a pending invitation) is written straight
 * to the database so each test can start from a precise state quickly; the
 * behaviour under test always goes through the HTTP API.
 */

export const PASSWORD = 'correct horse battery'

let seq = 0
/** A slug no other test in this database uses. */
export function uniqueSlug(prefix = 'ws'): string {
  return `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`
}

/** An id that exists nowhere: what a prober would try. */
export function ghostId(): string {
  return randomBytes(24).toString('base64url')
}

export function uniqueEmail(prefix = 'person'): string {
  return `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}@example.test`
}

/** Signs up with a chosen email (the harness's signUp picks its own). */
export async function signUpAs(h: Harness, name: string, email: string): Promise<TestClient> {
  const client = new TestClient(h)
  const res = await client.post('/api/auth/sign-up/email', { name, email, password: PASSWORD })
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`)
  client.user = res.body.user
  return client
}

/** A second, independent session for an existing user. */
export async function signIn(h: Harness, email: string): Promise<TestClient> {
  const client = new TestClient(h)
  const res = await client.post('/api/auth/sign-in/email', { email, password: PASSWORD })
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(res.body)}`)
  client.user = res.body.user
  return client
}

/** Creates a (non-personal) workspace through the API; the caller becomes its owner. */
export async function createWorkspace(
  owner: TestClient,
  opts: { name?: string; slug?: string; keepActive?: boolean } = {},
): Promise<{ id: string; slug: string; name: string }> {
  const slug = opts.slug ?? uniqueSlug()
  const name = opts.name ?? `Team ${slug}`
  const res = await owner.post('/api/auth/organization/create', {
    name,
    slug,
    ...(opts.keepActive ? { keepCurrentActiveOrganization: true } : {}),
  })
  if (res.status !== 200) throw new Error(`create workspace failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { id: res.body.id, slug: res.body.slug, name: res.body.name }
}

/** Adds a membership row directly (setup only); returns the member id. */
export async function addMember(h: Harness, workspaceId: string, userId: string, role: WorkspaceRole): Promise<string> {
  const id = randomUUID()
  await h.db.insert(member).values({ id, workspaceId, userId, role })
  return id
}

/** Inserts a pending invitation directly (setup only); returns its id. */
export async function addInvitation(
  h: Harness,
  workspaceId: string,
  inviterId: string,
  email: string,
  role: WorkspaceRole = 'member',
): Promise<string> {
  const id = newInvitationId()
  await h.db.insert(invitation).values({
    id,
    workspaceId,
    email,
    role,
    status: 'pending',
    inviterId,
    expiresAt: new Date(Date.now() + 7 * 24 * 3600 * 1000),
  })
  return id
}

export async function setPlan(h: Harness, workspaceId: string, plan: string) {
  await h.db.update(workspace).set({ plan }).where(eq(workspace.id, workspaceId))
}

export async function workspaceRow(h: Harness, workspaceId: string) {
  const [row] = await h.db.select().from(workspace).where(eq(workspace.id, workspaceId))
  return row ?? null
}

export async function memberRows(h: Harness, workspaceId: string) {
  return h.db.select().from(member).where(eq(member.workspaceId, workspaceId)).orderBy(asc(member.id))
}

export async function memberRow(h: Harness, workspaceId: string, userId: string) {
  const [row] = await h.db
    .select()
    .from(member)
    .where(and(eq(member.workspaceId, workspaceId), eq(member.userId, userId)))
  return row ?? null
}

export async function invitationRows(h: Harness, workspaceId: string) {
  return h.db.select().from(invitation).where(eq(invitation.workspaceId, workspaceId)).orderBy(asc(invitation.id))
}

export async function invitationRow(h: Harness, invitationId: string) {
  const [row] = await h.db.select().from(invitation).where(eq(invitation.id, invitationId))
  return row ?? null
}

export async function outboxFor(h: Harness, to: string) {
  return h.db.select().from(mailOutbox).where(eq(mailOutbox.to, to)).orderBy(asc(mailOutbox.createdAt))
}

/** Everything that defines a workspace's state, for before/after comparisons. */
export async function snapshot(h: Harness, workspaceId: string) {
  return {
    workspace: await workspaceRow(h, workspaceId),
    members: await memberRows(h, workspaceId),
    invitations: await invitationRows(h, workspaceId),
  }
}

/**
 * The error in a response body. Both halves of the API answer the same flat
 * shape, `{ code, message, fields? }` (better-auth at /api/auth/*, our routes
 * at /api/*), so this only narrows the type.
 */
export function errorOf(res: ApiResult): { code?: string; message?: string; fields?: Record<string, string> } {
  const body = res.body as Record<string, unknown> | null
  return body && typeof body === 'object' ? (body as ReturnType<typeof errorOf>) : {}
}

/** Polls `read` until `done` holds (or fails after `timeoutMs`); never a bare sleep. */
export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await read()
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 20))
    last = await read()
  }
  return last
}
