import { randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createBillingDeps, type BillingDeps } from '../app/server/billing/deps'
import { createMeterReporter, meterIdentifier } from '../app/server/billing/meter-reporter'
import { reconcileSeats } from '../app/server/billing/seats'
import { expireGracePeriods } from '../db/billing'
import { EnvError, parseEnv } from '../db/env'
import { meterOutbox, workspace } from '../db/schema'
import { recordUsage } from '../db/usage'
import { PAST_DUE_GRACE_MS } from '../shared/billing'
import { PLANS } from '../shared/plans'
import { startFakeStripe, type FakeStripe } from './helpers/fake-stripe'
import { addMember, createWorkspace, errorOf } from './helpers/fixtures'
import { BASE_URL, createHarness, signUp, type Harness, type TestClient } from './helpers/harness'
import { teamWithEveryRole } from './sync/sync-clients'

const PRICES = {
  STRIPE_PRICE_PRO: 'price_pro',
  STRIPE_PRICE_TEAM: 'price_team_seat',
  STRIPE_PRICE_OVERAGE: 'price_over',
}
const WEBHOOK_SECRET = 'whsec_billing_test'

let fake: FakeStripe
let h: Harness
let billing: BillingDeps

beforeAll(async () => {
  fake = await startFakeStripe({ webhookSecret: WEBHOOK_SECRET, meteredPrices: ['price_over'] })
  h = await createHarness({
    STRIPE_SECRET_KEY: 'sk_test_billing',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_URL: fake.url,
    ...PRICES,
  })
  billing = createBillingDeps(h.db, h.env)!
  billing.stripe = fake.client('sk_test_billing')
  h.context.billing = billing
})
afterAll(async () => {
  await h?.close()
  await fake?.close()
})

const billingOf = async (client: TestClient, workspaceId: string) =>
  (await client.get(`/api/workspaces/${workspaceId}/billing`)).body

/** Delivers a Stripe event to the webhook as Stripe does: the exact signed bytes, no browser origin. */
async function deliver(payload: string, signature: string) {
  const res = await h.fetchApi('/api/billing/stripe/webhook', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  })
  return { status: res.status, body: await res.json() }
}

async function sendEvent(type: string, object: unknown) {
  const { payload, signature } = fake.event(type, object)
  return deliver(payload, signature)
}

/** Owner upgrades through Checkout, and Stripe completes it and says so. */
async function subscribe(owner: TestClient, workspaceId: string, plan: 'pro' | 'team') {
  const res = await owner.post(`/api/workspaces/${workspaceId}/billing/checkout`, { plan })
  expect(res.status).toBe(200)
  const session = fake.checkoutSessions().at(-1)!
  const { subscription } = fake.completeCheckout(session.id)
  const completed = await sendEvent('checkout.session.completed', {
    ...session,
    status: 'complete',
    subscription: subscription.id,
  })
  expect(completed.status).toBe(200)
  return { session, subscription }
}

async function row(workspaceId: string) {
  const [found] = await h.db.select().from(workspace).where(eq(workspace.id, workspaceId))
  return found
}

describe('configuration', () => {
  test('with STRIPE_SECRET_KEY, a missing Stripe variable stops start-up with its name', () => {
    const base = { NODE_ENV: 'test', BETTER_AUTH_SECRET: 'x'.repeat(32), STRIPE_SECRET_KEY: 'sk_test_x' }
    expect(() => parseEnv(base)).toThrow(EnvError)
    expect(() => parseEnv({ ...base, ...PRICES })).toThrow(
      /STRIPE_WEBHOOK_SECRET: required when STRIPE_SECRET_KEY is set/,
    )
    expect(() => parseEnv({ ...base, ...PRICES, STRIPE_PRICE_TEAM: '', STRIPE_WEBHOOK_SECRET: 'whsec' })).toThrow(
      /STRIPE_PRICE_TEAM/,
    )
    expect(parseEnv({ ...base, ...PRICES, STRIPE_WEBHOOK_SECRET: 'whsec' }).STRIPE_PRICE_PRO).toBe('price_pro')
    // Without the key, billing is simply off.
    expect(parseEnv({ NODE_ENV: 'test' }).STRIPE_SECRET_KEY).toBeUndefined()
  })
})

describe('checkout and portal', () => {
  test('an owner gets a Checkout URL; the workspace becomes the Stripe customer; the plan price and the overage go in', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const res = await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'pro' })
    expect(res.status).toBe(200)
    const session = fake.checkoutSessions().at(-1)!
    expect(res.body.url).toBe(session.url)
    expect(session.client_reference_id).toBe(ws.id)
    const customer = fake.customers().find((c) => c.id === session.customer)!
    expect(customer.metadata).toEqual({ workspaceId: ws.id })
    expect((await row(ws.id)).stripeCustomerId).toBe(customer.id)
    expect(fake.lineItems(session.id).map((i) => [i.price, i.quantity ?? null])).toEqual([
      ['price_pro', 1],
      ['price_over', null],
    ])
    expect(session.success_url).toBe(`${BASE_URL}/w/${ws.slug}/billing?checkout=success`)

    // A second checkout reuses the customer.
    await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'team' })
    expect(fake.checkoutSessions().at(-1)!.customer).toBe(customer.id)
  })

  test('only owners and admins may start Checkout or open the portal; others of the workspace 403, outsiders 404', async () => {
    const team = await teamWithEveryRole(h)
    const outsider = await signUp(h, 'Outsider')
    const sessionsBefore = fake.checkoutSessions().length
    const results: [string, number, number][] = []
    for (const [name, client] of [...Object.entries(team.byRole), ['outsider', outsider] as const]) {
      const checkout = await client.post(`/api/workspaces/${team.ws.id}/billing/checkout`, { plan: 'team' })
      const portal = await client.post(`/api/workspaces/${team.ws.id}/billing/portal`, {})
      results.push([name, checkout.status, portal.status])
    }
    // Owner and admin reach Stripe (the portal needs a customer: the owner's checkout made one).
    expect(results).toEqual([
      ['owner', 200, 200],
      ['admin', 200, 200],
      ['member', 403, 403],
      ['viewer', 403, 403],
      ['outsider', 404, 404],
    ])
    expect(fake.checkoutSessions().length).toBe(sessionsBefore + 2)
    expect(fake.portalSessions().at(-1)!.return_url).toBe(`${BASE_URL}/w/${team.ws.slug}/billing`)
  })

  test('bad input is a 400 with the field; a workspace already subscribed is sent to the portal (409)', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const bad = await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'free' })
    expect(bad.status).toBe(400)
    expect(errorOf(bad).fields).toHaveProperty('plan')
    expect((await owner.post(`/api/workspaces/${ws.id}/billing/portal`, {})).status).toBe(409)
    await subscribe(owner, ws.id, 'pro')
    const again = await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'team' })
    expect(again.status).toBe(409)
  })
})

describe('the webhook keeps the plan in step', () => {
  test('a completed checkout puts the workspace on the plan; members see it on the billing page', async () => {
    const team = await teamWithEveryRole(h)
    expect((await billingOf(team.byRole.viewer, team.ws.id)).plan).toBe('free')
    const { subscription } = await subscribe(team.byRole.owner, team.ws.id, 'pro')
    const overview = await billingOf(team.byRole.viewer, team.ws.id)
    expect(overview).toMatchObject({
      configured: true,
      plan: 'pro',
      subscribedPlan: 'pro',
      status: 'active',
      canManage: false,
      members: { count: 4, limit: PLANS.pro.limits.members },
    })
    expect((await billingOf(team.byRole.admin, team.ws.id)).canManage).toBe(true)
    expect((await row(team.ws.id)).stripeSubscriptionId).toBe(subscription.id)
    expect((await row(team.ws.id)).includedUsageMicros).toBe(PLANS.pro.includedUsageMicros)
  })

  test('a bad signature is a 400 and changes nothing', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'pro' })
    const session = fake.checkoutSessions().at(-1)!
    const { subscription } = fake.completeCheckout(session.id)
    const { payload, signature } = fake.event('checkout.session.completed', {
      ...session,
      subscription: subscription.id,
    })
    const tampered = payload.replace(ws.id, ws.id.slice(0, -1) + (ws.id.endsWith('A') ? 'B' : 'A'))
    expect((await deliver(tampered, signature)).status).toBe(400)
    expect((await deliver(payload, 't=1,v1=deadbeef')).status).toBe(400)
    expect((await deliver(payload, '')).status).toBe(400)
    expect((await row(ws.id)).plan).toBe('free')
    expect((await deliver(payload, signature)).status).toBe(200)
    expect((await row(ws.id)).plan).toBe('pro')
  })

  test('an event delivered twice is applied once', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const { subscription } = await subscribe(owner, ws.id, 'pro')
    fake.updateSubscription(subscription.id, { status: 'past_due' })
    const { payload, signature } = fake.event('invoice.payment_failed', fake.createInvoice(subscription.id, 'open'))
    expect((await deliver(payload, signature)).body.result).toBe('applied')
    const first = await row(ws.id)
    expect(first.billingStatus).toBe('past_due')
    // Stripe delivers it again later: nothing moves, not even the grace period's start.
    expect((await deliver(payload, signature)).body.result).toBe('duplicate')
    expect(await row(ws.id)).toEqual(first)
  })

  test('events out of order leave the latest state', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const { subscription } = await subscribe(owner, ws.id, 'pro')
    // In Stripe: cancelled at period end, then ended. The events arrive newest first.
    const cancelling = fake.updateSubscription(subscription.id, { cancel_at_period_end: true })
    const ended = fake.deleteSubscription(subscription.id)
    expect((await sendEvent('customer.subscription.deleted', ended)).status).toBe(200)
    expect((await sendEvent('customer.subscription.updated', cancelling)).status).toBe(200)
    expect((await sendEvent('customer.subscription.created', subscription)).status).toBe(200)
    expect(await row(ws.id)).toMatchObject({ plan: 'free', billingStatus: 'canceled', billingPlan: 'pro' })
    const overview = await billingOf(owner, ws.id)
    expect(overview).toMatchObject({ plan: 'free', status: 'canceled' })
  })

  test('cancel at period end keeps the plan until Stripe ends the subscription', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const { subscription } = await subscribe(owner, ws.id, 'pro')
    const cancelling = fake.updateSubscription(subscription.id, { cancel_at_period_end: true })
    await sendEvent('customer.subscription.updated', cancelling)
    expect(await billingOf(owner, ws.id)).toMatchObject({ plan: 'pro', status: 'active', cancelAtPeriodEnd: true })
    expect((await billingOf(owner, ws.id)).currentPeriodEnd).toBe(
      new Date(cancelling.items.data[0].current_period_end * 1000).toISOString(),
    )
    await sendEvent('customer.subscription.deleted', fake.deleteSubscription(subscription.id))
    expect(await billingOf(owner, ws.id)).toMatchObject({ plan: 'free', status: 'canceled' })
  })

  test('a failed payment keeps the plan through the grace period, then free limits apply; paying restores it', async () => {
    const team = await teamWithEveryRole(h)
    const { subscription } = await subscribe(team.byRole.owner, team.ws.id, 'team')
    // More members than the free plan allows.
    for (let i = 0; i < 3; i++) {
      const extra = await signUp(h, `Extra${i}`)
      await addMember(h, team.ws.id, extra.user!.id, 'member')
    }
    fake.updateSubscription(subscription.id, { status: 'past_due' })
    await sendEvent('invoice.payment_failed', fake.createInvoice(subscription.id, 'open'))
    const pastDue = await billingOf(team.byRole.owner, team.ws.id)
    expect(pastDue).toMatchObject({ plan: 'team', status: 'past_due', overLimit: { members: false } })
    expect(new Date(pastDue.graceEndsAt).getTime() - new Date(pastDue.pastDueSince).getTime()).toBe(PAST_DUE_GRACE_MS)

    expect(await expireGracePeriods(h.db, new Date(Date.now() + PAST_DUE_GRACE_MS - 60_000))).not.toContain(team.ws.id)
    expect(await expireGracePeriods(h.db, new Date(Date.now() + PAST_DUE_GRACE_MS + 60_000))).toContain(team.ws.id)
    const lapsed = await billingOf(team.byRole.owner, team.ws.id)
    expect(lapsed).toMatchObject({ plan: 'free', status: 'past_due', overLimit: { members: true } })
    expect(lapsed.members.count).toBe(7)
    // Nothing is deleted; the excess is read-only: no one new may be invited.
    const invite = await team.byRole.owner.post('/api/auth/organization/invite-member', {
      organizationId: team.ws.id,
      email: `late-${randomUUID()}@example.test`,
      role: 'member',
    })
    expect(invite.status).toBe(403)
    expect(errorOf(invite).code).toBe('LIMIT_REACHED')

    fake.updateSubscription(subscription.id, { status: 'active' })
    await sendEvent('invoice.paid', fake.createInvoice(subscription.id, 'paid'))
    expect(await billingOf(team.byRole.owner, team.ws.id)).toMatchObject({
      plan: 'team',
      status: 'active',
      pastDueSince: null,
    })
  })

  test('an event for a subscription the workspace has moved past is ignored', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const first = await subscribe(owner, ws.id, 'pro')
    await sendEvent('customer.subscription.deleted', fake.deleteSubscription(first.subscription.id))
    const second = await subscribe(owner, ws.id, 'team')
    expect((await row(ws.id)).stripeSubscriptionId).toBe(second.subscription.id)
    // A late update about the first (already ended) subscription.
    const late = await sendEvent('customer.subscription.updated', fake.subscription(first.subscription.id))
    expect(late.body.result).toBe('ignored')
    expect(await row(ws.id)).toMatchObject({ plan: 'team', stripeSubscriptionId: second.subscription.id })
  })

  test('without Stripe keys the page says billing is not configured; upgrading answers 501', async () => {
    const plain = await createHarness()
    try {
      const owner = await signUp(plain, 'Owner')
      const ws = await createWorkspace(owner)
      expect((await owner.get(`/api/workspaces/${ws.id}/billing`)).body).toMatchObject({
        configured: false,
        plan: 'free',
        usage: { includedMicros: PLANS.free.includedUsageMicros, budgetMicros: PLANS.free.limits.monthlyBudgetMicros },
      })
      const checkout = await owner.post(`/api/workspaces/${ws.id}/billing/checkout`, { plan: 'pro' })
      expect(checkout.status).toBe(501)
      expect(errorOf(checkout).code).toBe('NOT_CONFIGURED')
      const hook = await plain.fetchApi('/api/billing/stripe/webhook', { method: 'POST', body: '{}' })
      expect(hook.status).toBe(501)
    } finally {
      await plain.close()
    }
  })
})

describe('metered overage', () => {
  let n = 0
  const usage = (workspaceId: string, userId: string, costMicros: number, endedAt = new Date()) =>
    recordUsage(h.db, {
      generationId: `gen-${Date.now()}-${n++}`,
      workspaceId,
      userId,
      chatId: null,
      kind: 'answer',
      model: 'openai:gpt-4o-mini',
      inputTokens: 10,
      outputTokens: 10,
      costMicros,
      startedAt: endedAt,
      endedAt,
      outcome: 'done',
    })
  const outboxOf = (workspaceId: string) =>
    h.db.select().from(meterOutbox).where(eq(meterOutbox.workspaceId, workspaceId)).orderBy(meterOutbox.occurredAt)

  test('only usage beyond the included amount is queued, each event with its own part', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const included = PLANS.pro.includedUsageMicros
    // Before any subscription: nothing is billed.
    await usage(ws.id, owner.user!.id, 1_000_000, new Date(Date.now() - 3000))
    expect(await outboxOf(ws.id)).toHaveLength(0)
    await subscribe(owner, ws.id, 'pro')
    await usage(ws.id, owner.user!.id, included - 2_000_000, new Date(Date.now() - 2000)) // 1M left
    await usage(ws.id, owner.user!.id, 3_000_000, new Date(Date.now() - 1000)) // 2M beyond
    await usage(ws.id, owner.user!.id, 500_000) // all beyond
    expect((await outboxOf(ws.id)).map((r) => r.valueMicros)).toEqual([2_000_000, 500_000])
    const overview = await billingOf(owner, ws.id)
    expect(overview.usage.overageMicros).toBe(2_500_000)
  })

  test('the reporter sends each overage once, with an identifier from its usage event, across a crash between send and mark', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const { session } = await subscribe(owner, ws.id, 'pro')
    await usage(ws.id, owner.user!.id, PLANS.pro.includedUsageMicros + 700_000)
    await usage(ws.id, owner.user!.id, 300_000)
    const rows = await outboxOf(ws.id)
    expect(rows.map((r) => r.valueMicros)).toEqual([700_000, 300_000])

    // The process dies right after Stripe took the first event, before it was marked sent.
    const crashing = createMeterReporter(billing, {
      leaseMs: 0,
      afterSend: () => {
        throw new Error('crash between send and mark')
      },
    })
    await crashing.runOnce()
    expect((await outboxOf(ws.id)).every((r) => r.sentAt === null)).toBe(true)

    const reporter = createMeterReporter(billing, { leaseMs: 60_000 })
    // The failed rows wait for their backoff; time passes.
    await h.db
      .update(meterOutbox)
      .set({ nextAttemptAt: new Date(0) })
      .where(eq(meterOutbox.workspaceId, ws.id))
    await reporter.runOnce()
    const after = await outboxOf(ws.id)
    expect(after.every((r) => r.sentAt !== null)).toBe(true)
    for (const r of after) {
      const accepted = fake.acceptedMeterEvents().filter((e) => e.identifier === meterIdentifier(r))
      expect(accepted).toHaveLength(1)
      expect(accepted[0]).toMatchObject({
        event_name: billing.meterEventName,
        payload: { stripe_customer_id: session.customer, value: String(r.valueMicros) },
      })
      // Sent twice (before and after the crash), billed once.
      expect(fake.meterEventCount(meterIdentifier(r))).toBe(2)
    }
    // Nothing left to send: another round sends nothing.
    const attempts = fake.meterEventAttempts
    expect(await reporter.runOnce()).toBe(0)
    expect(fake.meterEventAttempts).toBe(attempts)
  })

  test('a Stripe failure is retried later with backoff, and nothing is lost', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    await subscribe(owner, ws.id, 'pro')
    await usage(ws.id, owner.user!.id, PLANS.pro.includedUsageMicros + 100_000)
    fake.failNext('/v1/billing/meter_events', 500, 10)
    const reporter = createMeterReporter(billing, { leaseMs: 60_000 })
    billing.stripe = fake.client('sk_test_billing', { maxNetworkRetries: 0 })
    try {
      await reporter.runOnce()
    } finally {
      billing.stripe = fake.client('sk_test_billing')
    }
    const [failed] = await outboxOf(ws.id)
    expect(failed).toMatchObject({ sentAt: null, attempts: 1 })
    expect(failed.lastError).toBeTruthy()
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now())
    // Not due yet: nothing sent.
    await reporter.runOnce()
    expect((await outboxOf(ws.id))[0].sentAt).toBeNull()
    await h.db
      .update(meterOutbox)
      .set({ nextAttemptAt: new Date(0) })
      .where(eq(meterOutbox.id, failed.id))
    fake.reset()
    await reporter.runOnce()
    expect((await outboxOf(ws.id))[0].sentAt).not.toBeNull()
    expect(fake.acceptedMeterEvents().map((e) => e.identifier)).toEqual([meterIdentifier(failed)])
  })
})

describe('the billing worker', () => {
  test('a round ends lapsed grace periods, at most once a minute', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner)
    const { subscription } = await subscribe(owner, ws.id, 'pro')
    fake.updateSubscription(subscription.id, { status: 'past_due' })
    await sendEvent('invoice.payment_failed', fake.createInvoice(subscription.id, 'open'))
    const lapse = () =>
      h.db
        .update(workspace)
        .set({ pastDueSince: new Date(Date.now() - PAST_DUE_GRACE_MS - 1000) })
        .where(eq(workspace.id, ws.id))
    const worker = createMeterReporter(billing, { housekeepingMs: 60_000 })
    await worker.runOnce()
    expect((await row(ws.id)).plan).toBe('pro')
    await lapse()
    // The same minute: not looked at again yet.
    await worker.runOnce()
    expect((await row(ws.id)).plan).toBe('pro')
    // A worker whose minute has come (a fresh one) ends it.
    await createMeterReporter(billing).runOnce()
    expect((await row(ws.id)).plan).toBe('free')
  })
})

describe('seats', () => {
  test('a seat-priced subscription follows the member count', async () => {
    const team = await teamWithEveryRole(h)
    const { subscription } = await subscribe(team.byRole.owner, team.ws.id, 'team')
    const seatItem = () => fake.subscription(subscription.id).items.data.find((i) => i.price.id === 'price_team_seat')!
    expect(seatItem().quantity).toBe(4)
    const newcomer = await signUp(h, 'Newcomer')
    await addMember(h, team.ws.id, newcomer.user!.id, 'member')
    expect(await reconcileSeats(billing)).toContain(team.ws.id)
    expect(seatItem().quantity).toBe(5)
    // In step: nothing more to change.
    expect(await reconcileSeats(billing)).not.toContain(team.ws.id)
  })
})
