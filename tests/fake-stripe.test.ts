import Stripe from 'stripe'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type FakeStripe, parseStripeForm, startFakeStripe } from './helpers/fake-stripe'

/** The fake is only worth something if the production client accepts its answers, so every check goes through it. */
let fake: FakeStripe
let stripe: Stripe
let clock = Date.now()

beforeAll(async () => {
  fake = await startFakeStripe({ webhookSecret: 'whsec_self_test', meteredPrices: ['price_overage'], now: () => clock })
  stripe = fake.client()
})
afterAll(() => fake.close())
beforeEach(() => {
  fake.reset()
  clock = Date.now()
})

async function rejection(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof Stripe.errors.StripeError)) throw new Error(`Expected a StripeError, got ${String(error)}`)
  return error
}

async function checkout(customer: string) {
  return stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: 'ws_1',
    line_items: [{ price: 'price_team_seat', quantity: 3 }, { price: 'price_overage' }],
    success_url: 'http://localhost:3000/ok',
    cancel_url: 'http://localhost:3000/no',
    metadata: { workspaceId: 'ws_1' },
    subscription_data: { metadata: { workspaceId: 'ws_1', plan: 'team' } },
  })
}

describe('parseStripeForm', () => {
  it('nests bracketed keys, making arrays of numeric indexes', () => {
    expect(
      parseStripeForm(
        'metadata[workspaceId]=ws%201&line_items[0][price]=p1&line_items[0][quantity]=2&line_items[1][price]=p2&expand[]=a&expand[]=b&mode=subscription',
      ),
    ).toEqual({
      metadata: { workspaceId: 'ws 1' },
      line_items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }],
      expand: ['a', 'b'],
      mode: 'subscription',
    })
  })
})

describe('customers', () => {
  it('creates and retrieves a customer, recording the form body and the idempotency key', async () => {
    const created = await stripe.customers.create({ name: 'Acme', metadata: { workspaceId: 'ws_1' } })
    expect(created.id).toMatch(/^cus_/)
    const fetched = await stripe.customers.retrieve(created.id)
    expect(fetched).toMatchObject({
      id: created.id,
      object: 'customer',
      name: 'Acme',
      metadata: { workspaceId: 'ws_1' },
    })

    const post = fake.requests.find((r) => r.method === 'POST' && r.pathname === '/v1/customers')
    expect(post?.body).toEqual({ name: 'Acme', metadata: { workspaceId: 'ws_1' } })
    expect(post?.headers['content-type']).toContain('application/x-www-form-urlencoded')
    expect(post?.idempotencyKey).toMatch(/^stripe-node-retry-/)
    expect(post?.headers.authorization).toBe('Bearer sk_test_fake')
  })

  it('answers an unknown customer with a 404 resource_missing error', async () => {
    const error = await rejection(stripe.customers.retrieve('cus_nope'))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error.statusCode).toBe(404)
    expect(error.code).toBe('resource_missing')
    expect(error.message).toBe("No such customer: 'cus_nope'")
  })

  it('refuses a request without an API key', async () => {
    const res = await fetch(`${fake.url}/v1/customers/cus_1`)
    expect(res.status).toBe(401)
    expect((await res.json()).error.type).toBe('invalid_request_error')
  })
})

describe('checkout and subscriptions', () => {
  it('turns a completed checkout into a subscription shaped like API version 2026', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const session = await checkout(customer.id)
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      mode: 'subscription',
      customer: customer.id,
      client_reference_id: 'ws_1',
      metadata: { workspaceId: 'ws_1' },
    })
    expect(session.url).toBe(`https://checkout.stripe.test/c/pay/${session.id}`)
    const sent = fake.requests.find((r) => r.pathname === '/v1/checkout/sessions')
    expect(sent?.body.line_items).toEqual([{ price: 'price_team_seat', quantity: '3' }, { price: 'price_overage' }])

    const before = Math.floor(clock / 1000)
    const done = fake.completeCheckout(session.id)
    expect(done.session).toMatchObject({ status: 'complete', subscription: done.subscription.id })

    const sub = await stripe.subscriptions.retrieve(done.subscription.id)
    expect(sub).toMatchObject({
      object: 'subscription',
      customer: customer.id,
      status: 'active',
      cancel_at_period_end: false,
      canceled_at: null,
      ended_at: null,
      metadata: { workspaceId: 'ws_1', plan: 'team' },
    })
    const [seat, overage] = sub.items.data
    expect(seat).toMatchObject({ quantity: 3, price: { id: 'price_team_seat', recurring: { usage_type: 'licensed' } } })
    expect(overage.quantity).toBeUndefined()
    expect(overage.price.recurring?.usage_type).toBe('metered')
    expect(seat.current_period_start).toBe(before)
    expect(seat.current_period_end).toBe(before + 30 * 24 * 60 * 60)

    expect((await stripe.checkout.sessions.retrieve(session.id)).subscription).toBe(sub.id)
  })

  it('refuses a quantity on a metered price, as Stripe does', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const error = await rejection(
      stripe.checkout.sessions.create({
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price: 'price_overage', quantity: 1 }],
        success_url: 'http://localhost:3000/ok',
      }),
    )
    expect(error.statusCode).toBe(400)
    expect(error.param).toBe('line_items[0][quantity]')
  })

  it('updates an item quantity through subscription_items and cancels at period end through subscriptions', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const { subscription } = fake.completeCheckout((await checkout(customer.id)).id)
    const seatId = subscription.items.data[0].id

    const item = await stripe.subscriptionItems.update(seatId, { quantity: 5, proration_behavior: 'create_prorations' })
    expect(item).toMatchObject({ id: seatId, object: 'subscription_item', quantity: 5 })
    expect((await stripe.subscriptions.retrieve(subscription.id)).items.data[0].quantity).toBe(5)

    const updated = await stripe.subscriptions.update(subscription.id, {
      cancel_at_period_end: true,
      items: [{ id: seatId, quantity: 7 }],
      proration_behavior: 'none',
    })
    expect(updated.cancel_at_period_end).toBe(true)
    expect(updated.cancel_at).toBe(subscription.items.data[0].current_period_end)
    expect(updated.items.data[0].quantity).toBe(7)
    expect(fake.subscription(subscription.id).items.data[0].quantity).toBe(7)

    const metered = await rejection(stripe.subscriptionItems.update(subscription.items.data[1].id, { quantity: 2 }))
    expect(metered.statusCode).toBe(400)
  })

  it('applies Stripe-side changes and refuses to update a canceled subscription', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const { subscription } = fake.completeCheckout((await checkout(customer.id)).id)

    fake.updateSubscription(subscription.id, { status: 'past_due', quantity: 9 })
    const changed = await stripe.subscriptions.retrieve(subscription.id)
    expect(changed.status).toBe('past_due')
    expect(changed.items.data[0].quantity).toBe(9)

    const deleted = fake.deleteSubscription(subscription.id)
    expect(deleted.status).toBe('canceled')
    expect(deleted.ended_at).toBeTypeOf('number')
    expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('canceled')

    const error = await rejection(stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true }))
    expect(error.statusCode).toBe(400)
    const unknown = await rejection(stripe.subscriptions.retrieve('sub_nope'))
    expect(unknown.statusCode).toBe(404)
  })

  it('serves invoices with the subscription at both places', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const { subscription } = fake.completeCheckout((await checkout(customer.id)).id)
    const created = fake.createInvoice(subscription.id, 'paid')
    const invoice = await stripe.invoices.retrieve(created.id)
    expect(invoice).toMatchObject({ id: created.id, object: 'invoice', customer: customer.id, status: 'paid' })
    expect(invoice.parent?.subscription_details?.subscription).toBe(subscription.id)
    expect((invoice as unknown as { subscription: string }).subscription).toBe(subscription.id)
  })
})

describe('billing portal', () => {
  it('opens a session for a known customer and refuses an unknown one', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const session = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://localhost:3000/w/acme/billing',
    })
    expect(session).toMatchObject({
      object: 'billing_portal.session',
      customer: customer.id,
      return_url: 'http://localhost:3000/w/acme/billing',
    })
    expect(session.url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\//)

    const error = await rejection(stripe.billingPortal.sessions.create({ customer: 'cus_nope' }))
    expect(error.code).toBe('resource_missing')
    expect(error.param).toBe('customer')
    expect(fake.portalSessions()).toHaveLength(1)
  })
})

describe('meter events', () => {
  const event = (identifier: string, value = '25') => ({
    event_name: 'llm_overage',
    identifier,
    payload: { stripe_customer_id: 'cus_1', value },
    timestamp: Math.floor(clock / 1000),
  })

  it('accepts an identifier once and refuses it again within 24 hours', async () => {
    const accepted = await stripe.billing.meterEvents.create(event('chat1:msg1'))
    expect(accepted).toMatchObject({
      object: 'billing.meter_event',
      event_name: 'llm_overage',
      identifier: 'chat1:msg1',
      payload: { stripe_customer_id: 'cus_1', value: '25' },
    })
    expect(fake.meterEvents).toBe(1)

    const error = await rejection(stripe.billing.meterEvents.create(event('chat1:msg1', '30')))
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(error.statusCode).toBe(400)
    expect(error.message).toBe('An event already exists with identifier chat1:msg1.')
    expect(error.headers?.['stripe-should-retry']).toBe('false')

    expect(fake.meterEvents).toBe(1)
    expect(fake.meterEventAttempts).toBe(2)
    expect(fake.meterEventCount('chat1:msg1')).toBe(2)
    expect(fake.acceptedMeterEvents().map((e) => e.payload.value)).toEqual(['25'])

    clock += 24 * 60 * 60 * 1000 + 1000
    await stripe.billing.meterEvents.create(event('chat1:msg1', '30'))
    expect(fake.meterEvents).toBe(2)
  })
})

describe('idempotency', () => {
  it('replays the first answer for a repeated key without doing anything again', async () => {
    const first = await stripe.customers.create({ name: 'Acme' }, { idempotencyKey: 'create-acme' })
    const second = await stripe.customers.create({ name: 'Acme' }, { idempotencyKey: 'create-acme' })
    expect(second.id).toBe(first.id)
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true')
    expect(fake.customers()).toHaveLength(1)

    const meter = { event_name: 'llm_overage', payload: { stripe_customer_id: 'cus_1', value: '1' } }
    await stripe.billing.meterEvents.create(meter, { idempotencyKey: 'meter-1' })
    await stripe.billing.meterEvents.create(meter, { idempotencyKey: 'meter-1' })
    expect(fake.meterEvents).toBe(1)
    expect(fake.meterEventAttempts).toBe(2)

    const misuse = await rejection(stripe.customers.create({ name: 'Other' }, { idempotencyKey: 'create-acme' }))
    expect(misuse).toBeInstanceOf(Stripe.errors.StripeIdempotencyError)
    expect(misuse.statusCode).toBe(400)
  })
})

describe('webhook events', () => {
  it('signs events the real client verifies, and a changed payload does not verify', async () => {
    const customer = await stripe.customers.create({ name: 'Acme' })
    const { subscription } = fake.completeCheckout((await checkout(customer.id)).id)
    const { event, payload, signature } = fake.event('customer.subscription.updated', subscription, {
      previousAttributes: { status: 'trialing' },
    })
    expect(event.id).toMatch(/^evt_/)

    const verified = stripe.webhooks.constructEvent(payload, signature, 'whsec_self_test')
    expect(verified.type).toBe('customer.subscription.updated')
    expect(verified.api_version).toBe(Stripe.API_VERSION)
    expect((verified.data.object as { id: string }).id).toBe(subscription.id)

    expect(() =>
      stripe.webhooks.constructEvent(payload.replace('active', 'canceled'), signature, 'whsec_self_test'),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError)
    expect(() => stripe.webhooks.constructEvent(payload, signature, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    )
  })
})

describe('failNext', () => {
  it('fails the next matching requests with the status, then lets them through', async () => {
    fake.failNext('/v1/billing/meter_events', 500)
    const meter = {
      event_name: 'llm_overage',
      identifier: 'x1',
      payload: { stripe_customer_id: 'cus_1', value: '1' },
    }
    const error = await rejection(stripe.billing.meterEvents.create(meter))
    expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError)
    expect(error.statusCode).toBe(500)
    expect(fake.meterEvents).toBe(0)

    await stripe.billing.meterEvents.create(meter)
    expect(fake.meterEvents).toBe(1)
    expect(fake.meterEventCount('x1')).toBe(2)
  })

  it('lets a retrying client succeed under the same idempotency key', async () => {
    const retrying = fake.client('sk_test_fake', { maxNetworkRetries: 1 })
    fake.failNext('/v1/customers', 503)
    const customer = await retrying.customers.create({ name: 'Acme' })
    const posts = fake.requests.filter((r) => r.pathname === '/v1/customers')
    expect(posts).toHaveLength(2)
    expect(posts[1].idempotencyKey).toBe(posts[0].idempotencyKey)
    expect(fake.customers().map((c) => c.id)).toEqual([customer.id])
  })
})
