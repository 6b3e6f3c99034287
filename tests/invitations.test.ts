import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { invitation } from '../db/schema'
import { ASSIGNABLE_ROLES } from '../shared/roles'
import { PLANS } from '../shared/plans'
import { createHarness, signUp, type Harness, type TestClient } from './helpers/harness'
import {
  addMember,
  createWorkspace,
  errorOf,
  invitationRow,
  invitationRows,
  memberRow,
  memberRows,
  outboxFor,
  signIn,
  signUpAs,
  uniqueEmail,
} from './helpers/fixtures'

/**
 * Invitations end to end: the email in the outbox, the public preview, the
 * accept call, and every way an invitation stops working (expiry, resend,
 * cancel, the wrong account, a second accept), plus the plan's caps.
 */

let h: Harness
let owner: TestClient

beforeAll(async () => {
  h = await createHarness()
  owner = await signUp(h, 'Inviter')
})

afterAll(async () => {
  await h?.close()
})

/** Fills `count` seats with real members besides the owner (setup, straight to the database). */
async function seatMembers(workspaceId: string, count: number) {
  for (let i = 0; i < count; i++) {
    const u = await signUp(h, `Seat${i}`)
    await addMember(h, workspaceId, u.user!.id, 'member')
  }
}

async function invite(ws: { id: string }, email: string, role = 'member', by: TestClient = owner) {
  return by.post('/api/auth/organization/invite-member', { organizationId: ws.id, email, role })
}

async function accept(client: TestClient, invitationId: string) {
  return client.post('/api/auth/organization/accept-invitation', { invitationId })
}

async function preview(invitationId: string) {
  // The preview is public: whoever holds the link may look.
  return anonymousGet(`/api/invitations/${invitationId}`)
}

async function anonymousGet(path: string) {
  const res = await h.fetchApi(path)
  return { status: res.status, body: await res.json() }
}

/** The accept link from the last invitation email sent to `email`. */
async function linkFromOutbox(email: string): Promise<{ url: string; id: string }> {
  const mails = await outboxFor(h, email)
  expect(mails.length).toBeGreaterThan(0)
  const match = mails[mails.length - 1].text.match(/(https?:\/\/\S+\/invite\/([A-Za-z0-9_-]+))/)
  expect(match).not.toBeNull()
  return { url: match![1], id: match![2] }
}

describe('invitation lifecycle', () => {
  test.each(ASSIGNABLE_ROLES)('an invitee joins as %s through the emailed link', async (role) => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail(`new-${role}`)

    const invited = await invite(ws, email, role)
    expect(invited.status).toBe(200)
    expect(invited.body).toMatchObject({ email, role, status: 'pending' })

    const mails = await outboxFor(h, email)
    expect(mails).toHaveLength(1)
    expect(mails[0].workspaceId).toBe(ws.id)
    expect(mails[0].subject).toContain(ws.name)
    const link = await linkFromOutbox(email)
    expect(link.url).toBe(`${h.env.BETTER_AUTH_URL}/invite/${invited.body.id}`)
    expect(link.id).toBe(invited.body.id)

    // The invitee has no account yet and signs up with the invited address.
    const invitee = await signUpAs(h, 'Newcomer', email)

    const before = await preview(link.id)
    expect(before.status).toBe(200)
    expect(before.body.invitation).toMatchObject({ id: link.id, email, role, state: 'pending', workspaceName: ws.name })

    const accepted = await accept(invitee, link.id)
    expect(accepted.status).toBe(200)
    expect(accepted.body.member).toMatchObject({ userId: invitee.user!.id, role })

    expect(await memberRow(h, ws.id, invitee.user!.id)).toMatchObject({ role })
    const mine = await invitee.get('/api/workspaces')
    expect(mine.body.workspaces).toContainEqual(expect.objectContaining({ id: ws.id, role }))
    expect((await preview(link.id)).body.invitation.state).toBe('accepted')
  })

  test('an invitation to an unknown id previews as not found', async () => {
    const res = await preview('no-such-invitation')
    expect(res.status).toBe(404)
    expect(errorOf(res).code).toBe('NOT_FOUND')
  })
})

describe('expiry', () => {
  test('an expired invitation is refused, previews as expired, and the email can be invited again', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('late')
    const invitee = await signUpAs(h, 'Late', email)
    const first = await invite(ws, email)
    expect(first.status).toBe(200)

    await h.db
      .update(invitation)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(invitation.id, first.body.id))

    expect((await preview(first.body.id)).body.invitation.state).toBe('expired')
    const refused = await accept(invitee, first.body.id)
    expect(refused.status).toBe(400)
    expect(await memberRow(h, ws.id, invitee.user!.id)).toBeNull()

    const second = await invite(ws, email)
    expect(second.status).toBe(200)
    expect(second.body.id).not.toBe(first.body.id)
    const ok = await accept(invitee, second.body.id)
    expect(ok.status).toBe(200)
    expect(await memberRow(h, ws.id, invitee.user!.id)).toMatchObject({ role: 'member' })
  })
})

describe('resend', () => {
  test('gives a new id and a fresh expiry, and the old link stops working', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('again')
    const invitee = await signUpAs(h, 'Again', email)
    const first = await invite(ws, email, 'viewer')
    // Pretend it was sent days ago, so "fresh expiry" is measurable.
    const oldExpiry = new Date(Date.now() + 24 * 3600 * 1000)
    await h.db.update(invitation).set({ expiresAt: oldExpiry }).where(eq(invitation.id, first.body.id))

    const resent = await owner.post(`/api/workspaces/${ws.id}/invitations/${first.body.id}/resend`)
    expect(resent.status).toBe(200)
    const fresh = resent.body.invitation
    expect(fresh.id).not.toBe(first.body.id)
    expect(fresh).toMatchObject({ email, role: 'viewer', status: 'pending' })
    expect(new Date(fresh.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000)
    expect(new Date(fresh.expiresAt).getTime()).toBeGreaterThan(oldExpiry.getTime())

    // The newest email carries the new link.
    expect((await linkFromOutbox(email)).id).toBe(fresh.id)
    expect(await outboxFor(h, email)).toHaveLength(2)

    const old = await accept(invitee, first.body.id)
    expect(old.status).toBe(400)
    expect((await preview(first.body.id)).body.invitation.state).toBe('canceled')
    expect(await memberRow(h, ws.id, invitee.user!.id)).toBeNull()

    expect((await accept(invitee, fresh.id)).status).toBe(200)
    expect(await memberRow(h, ws.id, invitee.user!.id)).toMatchObject({ role: 'viewer' })
  })

  test('an accepted invitation cannot be resent', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('done')
    const invitee = await signUpAs(h, 'Done', email)
    const inv = await invite(ws, email)
    expect((await accept(invitee, inv.body.id)).status).toBe(200)
    const res = await owner.post(`/api/workspaces/${ws.id}/invitations/${inv.body.id}/resend`)
    expect(res.status).toBe(409)
    expect((await invitationRows(h, ws.id)).filter((i) => i.status === 'pending')).toHaveLength(0)
  })
})

describe('revoke', () => {
  test('a canceled invitation is refused and previews as canceled', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('revoked')
    const invitee = await signUpAs(h, 'Revoked', email)
    const inv = await invite(ws, email)

    const canceled = await owner.post('/api/auth/organization/cancel-invitation', { invitationId: inv.body.id })
    expect(canceled.status).toBe(200)
    expect((await invitationRow(h, inv.body.id))?.status).toBe('canceled')

    const refused = await accept(invitee, inv.body.id)
    expect(refused.status).toBe(400)
    expect((await preview(inv.body.id)).body.invitation.state).toBe('canceled')
    expect(await memberRow(h, ws.id, invitee.user!.id)).toBeNull()
  })
})

describe('the wrong account', () => {
  test('someone signed in with another email is refused with 403 and the invitation stays pending', async () => {
    const ws = await createWorkspace(owner)
    const inv = await invite(ws, uniqueEmail('intended'))
    const stranger = await signUp(h, 'Stranger')

    const res = await accept(stranger, inv.body.id)
    expect(res.status).toBe(403)
    expect(await memberRow(h, ws.id, stranger.user!.id)).toBeNull()
    expect((await invitationRow(h, inv.body.id))?.status).toBe('pending')
  })

  test('an anonymous caller cannot accept', async () => {
    const ws = await createWorkspace(owner)
    const inv = await invite(ws, uniqueEmail('anon'))
    const res = await h.fetchApi('/api/auth/organization/accept-invitation', {
      method: 'POST',
      headers: { origin: h.env.BETTER_AUTH_URL, 'content-type': 'application/json' },
      body: JSON.stringify({ invitationId: inv.body.id }),
    })
    expect(res.status).toBe(401)
    expect((await invitationRow(h, inv.body.id))?.status).toBe('pending')
  })
})

describe('accepting twice at once', () => {
  async function race(accepters: TestClient[], ws: { id: string }, invitationId: string, userId: string) {
    const results = await Promise.all(accepters.map((c) => accept(c, invitationId)))
    const statuses = results.map((r) => r.status).sort()
    // One wins; the other is told the invitation is gone, never a server error.
    expect(statuses).toEqual([200, 400])
    const rows = (await memberRows(h, ws.id)).filter((m) => m.userId === userId)
    expect(rows).toHaveLength(1)
    expect((await invitationRow(h, invitationId))?.status).toBe('accepted')
  }

  test('two accepts with the same session make exactly one membership', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('twice')
    const invitee = await signUpAs(h, 'Twice', email)
    const inv = await invite(ws, email)
    await race([invitee, invitee], ws, inv.body.id, invitee.user!.id)
  })

  test('two accepts from two sessions of the same person make exactly one membership', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('two-tabs')
    const invitee = await signUpAs(h, 'Tabs', email)
    const otherSession = await signIn(h, email)
    const inv = await invite(ws, email)
    await race([invitee, otherSession], ws, inv.body.id, invitee.user!.id)
  })
})

describe('duplicates and limits', () => {
  test('a second pending invitation for the same email is refused with 409 naming the email', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('dup')
    expect((await invite(ws, email)).status).toBe(200)

    for (const again of [email, email.toUpperCase()]) {
      const res = await invite(ws, again, 'viewer')
      expect(res.status).toBe(409)
      expect(errorOf(res).fields).toHaveProperty('email')
    }
    expect(await invitationRows(h, ws.id)).toHaveLength(1)
  })

  test('simultaneous invitations to one email leave exactly one pending, and none fails with 500', async () => {
    const ws = await createWorkspace(owner)
    const email = uniqueEmail('same-time')
    const results = await Promise.all(Array.from({ length: 4 }, () => invite(ws, email)))
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(409)
      expect(errorOf(r).fields).toHaveProperty('email')
    }
    expect((await invitationRows(h, ws.id)).filter((i) => i.status === 'pending')).toHaveLength(1)
  })

  test('inviting someone who is already a member is refused with 409 naming the email', async () => {
    const ws = await createWorkspace(owner)
    const existing = await signUp(h, 'Existing')
    await addMember(h, ws.id, existing.user!.id, 'member')
    const res = await invite(ws, existing.user!.email)
    expect(res.status).toBe(409)
    expect(errorOf(res).fields).toHaveProperty('email')
    expect(await invitationRows(h, ws.id)).toHaveLength(0)
  })

  test('the free plan counts pending invitations against its member limit', async () => {
    const limit = PLANS.free.limits.members
    const ws = await createWorkspace(owner)
    // Members hold all seats but two; each pending invitation holds another.
    await seatMembers(ws.id, limit - 3)
    const sent: string[] = []
    for (let i = 0; i < 2; i++) {
      const res = await invite(ws, uniqueEmail(`seat${i}`))
      expect(res.status).toBe(200)
      sent.push(res.body.id)
    }
    const over = await invite(ws, uniqueEmail('one-too-many'))
    expect(over.status).toBe(403)
    expect(errorOf(over).code).toBe('LIMIT_REACHED')
    expect(errorOf(over).message).toMatch(/members/)
    expect(await invitationRows(h, ws.id)).toHaveLength(2)

    // Canceling one frees its seat.
    await owner.post('/api/auth/organization/cancel-invitation', { invitationId: sent[0] })
    expect((await invite(ws, uniqueEmail('freed'))).status).toBe(200)
  })

  test('the member limit is enforced at invite time once the seats are taken by members', async () => {
    const limit = PLANS.free.limits.members
    const ws = await createWorkspace(owner)
    for (let i = 0; i < limit - 1; i++) {
      const u = await signUp(h, `Seat${i}`)
      await addMember(h, ws.id, u.user!.id, 'member')
    }
    expect(await memberRows(h, ws.id)).toHaveLength(limit)
    const res = await invite(ws, uniqueEmail('no-room'))
    expect(res.status).toBe(403)
    expect(errorOf(res).code).toBe('LIMIT_REACHED')
    expect(await invitationRows(h, ws.id)).toHaveLength(0)
  })

  test('simultaneous invitations cannot overrun the member limit', async () => {
    const limit = PLANS.free.limits.members
    const ws = await createWorkspace(owner)
    // Leave exactly one seat free, then try to fill it four times at once.
    await seatMembers(ws.id, limit - 2)
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => invite(ws, uniqueEmail(`rush${i}`))))
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(403)
      expect(errorOf(r).code).toBe('LIMIT_REACHED')
    }
    expect((await invitationRows(h, ws.id)).filter((i) => i.status === 'pending')).toHaveLength(1)
  })

  test('the pending-invitation cap is enforced on its own', async () => {
    const limits = PLANS.free.limits
    expect(limits.pendingInvitations).toBeLessThan(limits.members - 1)
    {
      const ws = await createWorkspace(owner)
      for (let i = 0; i < limits.pendingInvitations; i++) {
        expect((await invite(ws, uniqueEmail(`pending${i}`))).status).toBe(200)
      }
      const over = await invite(ws, uniqueEmail('over-cap'))
      expect(over.status).toBe(403)
      expect(errorOf(over).code).toBe('LIMIT_REACHED')
      expect(errorOf(over).message).toMatch(/pending invitations/)
      expect(await invitationRows(h, ws.id)).toHaveLength(limits.pendingInvitations)
    }
  })

  test('expired invitations do not hold a seat', async () => {
    const limit = PLANS.free.limits.members
    const ws = await createWorkspace(owner)
    await seatMembers(ws.id, limit - 3)
    for (let i = 0; i < 2; i++) expect((await invite(ws, uniqueEmail(`stale${i}`))).status).toBe(200)
    expect((await invite(ws, uniqueEmail('no-seat'))).status).toBe(403)
    await h.db
      .update(invitation)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitation.workspaceId, ws.id))
    expect((await invite(ws, uniqueEmail('after-expiry'))).status).toBe(200)
  })
})
