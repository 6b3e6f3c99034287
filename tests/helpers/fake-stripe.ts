import { randomBytes } from 'node:crypto'
import { readBody } from './fake-openai'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Stripe from 'stripe'

/**
 * A local server speaking the part of Stripe's v1 REST API our billing code
 * calls (form-encoded requests, JSON answers and errors), so that code runs
 * through the real `stripe` client and a real socket. The test drives the
 * Stripe side (a finished checkout, a portal change, a cancellation) with the
 * controls on the returned object.
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue }
export type FormObject = { [key: string]: FormValue }

export interface RecordedStripeRequest {
  method: string
  /** Path with the query string. */
  path: string
  pathname: string
  query: FormObject
  /** The form body, parsed into nested objects and arrays. */
  body: FormObject
  rawBody: string
  headers: IncomingHttpHeaders
  idempotencyKey: string | undefined
}

export type SubscriptionStatus =
  'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused'

export type UsageType = 'licensed' | 'metered'

export interface FakePrice {
  id: string
  object: 'price'
  active: boolean
  currency: string
  product: string
  type: 'recurring'
  recurring: { interval: 'month'; interval_count: number; usage_type: UsageType }
}

export interface FakeCustomer {
  id: string
  object: 'customer'
  name: string | null
  email: string | null
  metadata: Record<string, string>
  created: number
  livemode: false
}

export interface FakeLineItem {
  price: string
  quantity?: number
}

export interface FakeCheckoutSession {
  id: string
  object: 'checkout.session'
  url: string | null
  mode: string
  status: 'open' | 'complete' | 'expired'
  payment_status: 'unpaid' | 'paid'
  customer: string | null
  customer_email: string | null
  client_reference_id: string | null
  metadata: Record<string, string>
  success_url: string | null
  cancel_url: string | null
  subscription: string | null
  created: number
  livemode: false
}

export interface FakePortalSession {
  id: string
  object: 'billing_portal.session'
  url: string
  customer: string
  return_url: string | null
  created: number
  livemode: false
}

export interface FakeSubscriptionItem {
  id: string
  object: 'subscription_item'
  subscription: string
  /** Absent on metered items, as in Stripe. */
  quantity?: number
  current_period_start: number
  current_period_end: number
  metadata: Record<string, string>
  created: number
  price: FakePrice
}

export interface FakeSubscription {
  id: string
  object: 'subscription'
  customer: string
  status: SubscriptionStatus
  cancel_at_period_end: boolean
  cancel_at: number | null
  canceled_at: number | null
  ended_at: number | null
  metadata: Record<string, string>
  created: number
  start_date: number
  livemode: false
  items: { object: 'list'; data: FakeSubscriptionItem[]; has_more: false; total_count: number; url: string }
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void'

export interface FakeInvoice {
  id: string
  object: 'invoice'
  customer: string
  /** Gone from the invoice since API version 2025-03-31; kept for code written against older versions. */
  subscription: string
  parent: {
    type: 'subscription_details'
    subscription_details: { subscription: string; metadata: Record<string, string> }
  }
  status: InvoiceStatus
  created: number
  livemode: false
}

export interface FakeMeterEvent {
  object: 'billing.meter_event'
  event_name: string
  identifier: string
  payload: Record<string, string>
  timestamp: number
  created: number
  livemode: false
}

export interface FakeEvent<T = unknown> {
  id: string
  object: 'event'
  type: string
  api_version: string
  created: number
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  data: { object: T; previous_attributes?: Record<string, unknown> }
}

export interface SubscriptionPatch {
  status?: SubscriptionStatus
  cancel_at_period_end?: boolean
  /** Merged into the metadata; an empty string removes a key, as in Stripe. */
  metadata?: Record<string, string>
  /** Shorthands for the first item, the usual one-plan subscription. */
  quantity?: number
  price?: string
  items?: { id: string; quantity?: number; price?: string }[]
  /** Applied to every item. */
  current_period_start?: number
  current_period_end?: number
}

export interface FakeStripeOptions {
  /** Signs events made with `event()`. */
  webhookSecret?: string
  /** Prices that are metered even where a line item gives a quantity (which Stripe then refuses). */
  meteredPrices?: string[]
  /** Milliseconds since the epoch; lets a test move past the meter's 24-hour dedupe window. */
  now?: () => number
}

export interface FakeStripe {
  url: string
  port: number
  webhookSecret: string
  requests: RecordedStripeRequest[]
  /** The production client pointed at this server. */
  client(secretKey?: string, config?: Stripe.StripeConfig): Stripe
  close(): Promise<void>
  /** Forgets every object, request, counter, injected failure and idempotency key. */
  reset(): void

  customers(): FakeCustomer[]
  checkoutSessions(): FakeCheckoutSession[]
  portalSessions(): FakePortalSession[]
  subscriptions(): FakeSubscription[]
  subscription(id: string): FakeSubscription
  /** What the customer chose at checkout, which Stripe keeps off the session object. */
  lineItems(sessionId: string): FakeLineItem[]

  completeCheckout(
    sessionId: string,
    options?: { status?: SubscriptionStatus },
  ): { session: FakeCheckoutSession; subscription: FakeSubscription }
  updateSubscription(id: string, patch: SubscriptionPatch): FakeSubscription
  deleteSubscription(id: string): FakeSubscription
  createInvoice(subscriptionId: string, status: InvoiceStatus): FakeInvoice
  event<T>(
    type: string,
    object: T,
    options?: { previousAttributes?: Record<string, unknown> },
  ): { event: FakeEvent<T>; payload: string; signature: string }
  /** The next `count` requests whose path starts with `pathPrefix` get `status` before anything is done. */
  failNext(pathPrefix: string, status: number, count?: number): void

  /** Meter events accepted (a refused duplicate is not one). */
  readonly meterEvents: number
  /** Every POST to the meter events endpoint, refused and failed ones included. */
  readonly meterEventAttempts: number
  /** POSTs that carried this identifier, whatever became of them. */
  meterEventCount(identifier: string): number
  acceptedMeterEvents(): FakeMeterEvent[]
}

/** Stripe enforces identifier uniqueness over "a rolling period of at least 24 hours"; the fake uses exactly that. */
const METER_DEDUPE_WINDOW_S = 24 * 60 * 60
const PERIOD_S = 30 * 24 * 60 * 60

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message)
  }
}

const invalid = (message: string, extra: { code?: string; param?: string } = {}, status = 400) =>
  new StripeHttpError(status, { type: 'invalid_request_error', message, ...extra })

/** Stripe's answer for an id in the path (404) or in a parameter (400). */
const missing = (kind: string, id: string, param?: string) =>
  new StripeHttpError(param ? 400 : 404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param: param ?? 'id',
  })

/** Parses `a[b][0][c]=v` pairs as Stripe does: numeric segments make arrays, `[]` appends. */
export function parseStripeForm(raw: string): FormObject {
  const root: FormObject = {}
  for (const [key, value] of new URLSearchParams(raw)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key)
    const segments = match ? [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])] : [key]
    if (segments.some((s) => s === '__proto__' || s === 'constructor' || s === 'prototype')) continue
    let node: any = root
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1
      const slot = segment === '' && Array.isArray(node) ? node.length : segment
      if (last) {
        node[slot] = value
        break
      }
      const next = segments[i + 1]
      if (typeof node[slot] !== 'object') node[slot] = next === '' || /^\d+$/.test(next) ? [] : {}
      node = node[slot]
    }
  }
  return root
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`
}

function str(value: FormValue | undefined, param: string, required: true): string
function str(value: FormValue | undefined, param: string, required?: false): string | undefined
function str(value: FormValue | undefined, param: string, required = false): string | undefined {
  if (value === undefined || value === '') {
    if (required) throw invalid(`Missing required param: ${param}.`, { code: 'parameter_missing', param })
    return undefined
  }
  if (typeof value !== 'string') throw invalid(`Invalid string: ${param} must be a string.`, { param })
  return value
}

function int(value: FormValue | undefined, param: string): number | undefined {
  const s = str(value, param)
  if (s === undefined) return undefined
  if (!/^\d+$/.test(s)) throw invalid(`Invalid integer: ${s}`, { code: 'parameter_invalid_integer', param })
  return Number(s)
}

function bool(value: FormValue | undefined, param: string): boolean | undefined {
  const s = str(value, param)
  if (s === undefined) return undefined
  if (s !== 'true' && s !== 'false') throw invalid(`Invalid boolean: ${s}`, { param })
  return s === 'true'
}

function stringMap(value: FormValue | undefined, param: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (value === '') return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(`Invalid hash: ${param}`, { param })
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid(`Invalid ${param}[${k}]: must be a string`, { param: `${param}[${k}]` })
    out[k] = v
  }
  return out
}

/** Stripe merges metadata on update; an empty value deletes its key, an empty `metadata` clears it. */
function mergeMetadata(current: Record<string, string>, update: Record<string, string> | undefined) {
  if (update === undefined) return current
  if (Object.keys(update).length === 0) return {}
  const merged = { ...current, ...update }
  for (const [k, v] of Object.entries(update)) if (v === '') delete merged[k]
  return merged
}

function list(value: FormValue | undefined, param: string): FormObject[] {
  if (value === undefined) return []
  const entries = Array.isArray(value) ? value : typeof value === 'object' ? Object.values(value) : null
  if (!entries || entries.some((e) => typeof e !== 'object' || Array.isArray(e)))
    throw invalid(`Invalid array: ${param}`, { param })
  return entries as FormObject[]
}

const PRORATION_BEHAVIOURS = ['create_prorations', 'none', 'always_invoice']

function checkProration(value: FormValue | undefined) {
  const s = str(value, 'proration_behavior')
  if (s !== undefined && !PRORATION_BEHAVIOURS.includes(s))
    throw invalid(`Invalid proration_behavior: must be one of ${PRORATION_BEHAVIOURS.join(', ')}`, {
      param: 'proration_behavior',
    })
}

function injectedError(status: number) {
  if (status === 429) return invalid('Request rate limit exceeded (injected by the fake).', { code: 'rate_limit' }, 429)
  if (status >= 500)
    return new StripeHttpError(status, {
      type: 'api_error',
      message: 'An unknown error occurred (injected by the fake).',
    })
  return invalid(`Injected failure with status ${status}.`, {}, status)
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const webhookSecret = options.webhookSecret ?? 'whsec_test_fake'
  /** Prices known to be metered: configured, or seen at checkout without a quantity. */
  let meteredPrices = new Set(options.meteredPrices ?? [])
  const nowS = () => Math.floor((options.now?.() ?? Date.now()) / 1000)

  let requests: RecordedStripeRequest[] = []
  let customers = new Map<string, FakeCustomer>()
  let sessions = new Map<string, FakeCheckoutSession>()
  let sessionLines = new Map<string, FakeLineItem[]>()
  let subscriptionMetadata = new Map<string, Record<string, string>>()
  let portalSessions: FakePortalSession[] = []
  let subscriptions = new Map<string, FakeSubscription>()
  let invoices = new Map<string, FakeInvoice>()
  /** Accepted events by identifier, for the dedupe window. */
  let meterByIdentifier = new Map<string, FakeMeterEvent>()
  let accepted: FakeMeterEvent[] = []
  let meterAttempts: string[] = []
  let failures: { prefix: string; status: number; remaining: number }[] = []
  let idempotent = new Map<
    string,
    { method: string; path: string; rawBody: string; status: number; body: unknown; requestId: string }
  >()

  const clone = <T>(value: T): T => structuredClone(value)

  function price(id: string, usage: UsageType): FakePrice {
    return {
      id,
      object: 'price',
      active: true,
      currency: 'usd',
      product: 'prod_fake',
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1, usage_type: usage },
    }
  }

  function getSubscription(id: string, param?: string): FakeSubscription {
    const sub = subscriptions.get(id)
    if (!sub) throw missing('subscription', id, param)
    return sub
  }

  function findItem(itemId: string, param?: string): { sub: FakeSubscription; item: FakeSubscriptionItem } {
    for (const sub of subscriptions.values()) {
      const item = sub.items.data.find((i) => i.id === itemId)
      if (item) return { sub, item }
    }
    throw missing('subscription item', itemId, param)
  }

  function setQuantity(item: FakeSubscriptionItem, quantity: number | undefined, param: string) {
    if (quantity === undefined) return
    if (item.price.recurring.usage_type === 'metered')
      throw invalid('Quantity should not be specified where usage_type is `metered`.', { param })
    item.quantity = quantity
  }

  function setPrice(item: FakeSubscriptionItem, priceId: string | undefined) {
    if (priceId === undefined || priceId === item.price.id) return
    const usage: UsageType = meteredPrices.has(priceId) ? 'metered' : 'licensed'
    item.price = price(priceId, usage)
    if (usage === 'metered') delete item.quantity
    else item.quantity ??= 1
  }

  function refuseIfCanceled(sub: FakeSubscription) {
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired')
      throw invalid('A canceled subscription can only update its cancellation_details and metadata.')
  }

  function setCancelAtPeriodEnd(sub: FakeSubscription, value: boolean | undefined) {
    if (value === undefined) return
    sub.cancel_at_period_end = value
    sub.cancel_at = value ? Math.max(...sub.items.data.map((i) => i.current_period_end)) : null
    sub.canceled_at = value ? nowS() : null
  }

  // --- the API ---------------------------------------------------------------

  type Handler = (params: string[], body: FormObject, req: RecordedStripeRequest) => unknown
  const routes: { method: string; pattern: RegExp; handle: Handler }[] = []
  const route = (method: string, path: string, handle: Handler) =>
    routes.push({ method, pattern: new RegExp(`^${path.replace(/:\w+/g, '([^/]+)')}$`), handle })

  route('POST', '/v1/customers', (_, body) => {
    const customer: FakeCustomer = {
      id: newId('cus'),
      object: 'customer',
      name: str(body.name, 'name') ?? null,
      email: str(body.email, 'email') ?? null,
      metadata: stringMap(body.metadata, 'metadata') ?? {},
      created: nowS(),
      livemode: false,
    }
    customers.set(customer.id, customer)
    return customer
  })

  route('GET', '/v1/customers/:id', ([id]) => {
    const customer = customers.get(id)
    if (!customer) throw missing('customer', id)
    return customer
  })

  route('POST', '/v1/checkout/sessions', (_, body) => {
    const mode = str(body.mode, 'mode', true)
    // Gaps in the fake should fail loudly rather than pass silently.
    if (mode !== 'subscription') throw invalid(`The fake Stripe supports only mode=subscription, not ${mode}.`)
    const customer = str(body.customer, 'customer')
    if (customer !== undefined && !customers.has(customer)) throw missing('customer', customer, 'customer')
    const items = list(body.line_items, 'line_items')
    if (items.length === 0)
      throw invalid('You must provide at least one recurring price in `subscription` mode when using prices.', {
        param: 'line_items',
      })
    const lines = items.map((line, i): FakeLineItem => {
      const priceId = str(line.price, `line_items[${i}][price]`, true)
      const quantity = int(line.quantity, `line_items[${i}][quantity]`)
      if (quantity !== undefined && meteredPrices.has(priceId))
        throw invalid(
          `Quantity should not be specified where usage_type is \`metered\`. Remove quantity from \`line_items[${i}]\`.`,
          { param: `line_items[${i}][quantity]` },
        )
      return quantity === undefined ? { price: priceId } : { price: priceId, quantity }
    })
    const subscriptionData = body.subscription_data
    if (subscriptionData !== undefined && (typeof subscriptionData !== 'object' || Array.isArray(subscriptionData)))
      throw invalid('Invalid hash: subscription_data', { param: 'subscription_data' })
    stringMap(subscriptionData?.metadata, 'subscription_data[metadata]')
    const id = newId('cs_test')
    const session: FakeCheckoutSession = {
      id,
      object: 'checkout.session',
      url: `https://checkout.stripe.test/c/pay/${id}`,
      mode,
      status: 'open',
      payment_status: 'unpaid',
      customer: customer ?? null,
      customer_email: str(body.customer_email, 'customer_email') ?? null,
      client_reference_id: str(body.client_reference_id, 'client_reference_id') ?? null,
      metadata: stringMap(body.metadata, 'metadata') ?? {},
      success_url: str(body.success_url, 'success_url') ?? null,
      cancel_url: str(body.cancel_url, 'cancel_url') ?? null,
      subscription: null,
      created: nowS(),
      livemode: false,
    }
    sessions.set(id, session)
    sessionLines.set(id, lines)
    subscriptionMetadata.set(id, stringMap(subscriptionData?.metadata, 'subscription_data[metadata]') ?? {})
    for (const line of lines) if (line.quantity === undefined) meteredPrices.add(line.price)
    return session
  })

  route('GET', '/v1/checkout/sessions/:id', ([id]) => {
    const session = sessions.get(id)
    if (!session) throw missing('checkout.session', id)
    return session
  })

  route('POST', '/v1/billing_portal/sessions', (_, body) => {
    const customer = str(body.customer, 'customer', true)
    if (!customers.has(customer)) throw missing('customer', customer, 'customer')
    const session: FakePortalSession = {
      id: newId('bps'),
      object: 'billing_portal.session',
      url: `https://billing.stripe.test/p/session/${newId('test')}`,
      customer,
      return_url: str(body.return_url, 'return_url') ?? null,
      created: nowS(),
      livemode: false,
    }
    portalSessions.push(session)
    return session
  })

  route('GET', '/v1/subscriptions/:id', ([id]) => getSubscription(id))

  route('POST', '/v1/subscriptions/:id', ([id], body) => {
    const sub = getSubscription(id)
    const metadata = stringMap(body.metadata, 'metadata')
    const onlyMetadata = Object.keys(body).every((k) => k === 'metadata' || k === 'expand')
    if (!onlyMetadata) refuseIfCanceled(sub)
    checkProration(body.proration_behavior)
    // Validate everything before changing anything, as one Stripe request is all or nothing.
    const next = clone(sub)
    setCancelAtPeriodEnd(next, bool(body.cancel_at_period_end, 'cancel_at_period_end'))
    for (const [i, change] of list(body.items, 'items').entries()) {
      const itemId = str(change.id, `items[${i}][id]`)
      const quantity = int(change.quantity, `items[${i}][quantity]`)
      const priceId = str(change.price, `items[${i}][price]`)
      if (itemId === undefined) {
        if (priceId === undefined) throw invalid('Missing required param: price.', { param: `items[${i}][price]` })
        const usage: UsageType = meteredPrices.has(priceId) ? 'metered' : 'licensed'
        if (usage === 'metered' && quantity !== undefined)
          throw invalid('Quantity should not be specified where usage_type is `metered`.', {
            param: `items[${i}][quantity]`,
          })
        const first = next.items.data[0]
        next.items.data.push({
          id: newId('si'),
          object: 'subscription_item',
          subscription: next.id,
          ...(usage === 'licensed' ? { quantity: quantity ?? 1 } : {}),
          current_period_start: first?.current_period_start ?? nowS(),
          current_period_end: first?.current_period_end ?? nowS() + PERIOD_S,
          metadata: {},
          created: nowS(),
          price: price(priceId, usage),
        })
        continue
      }
      const item = next.items.data.find((it) => it.id === itemId)
      if (!item) throw missing('subscription item', itemId, `items[${i}][id]`)
      if (bool(change.deleted, `items[${i}][deleted]`)) {
        next.items.data = next.items.data.filter((it) => it !== item)
        continue
      }
      setPrice(item, priceId)
      setQuantity(item, quantity, `items[${i}][quantity]`)
    }
    next.metadata = mergeMetadata(next.metadata, metadata)
    next.items.total_count = next.items.data.length
    subscriptions.set(id, next)
    return next
  })

  route('DELETE', '/v1/subscriptions/:id', ([id]) => cancelNow(getSubscription(id)))

  route('POST', '/v1/subscription_items/:id', ([id], body) => {
    const { sub, item } = findItem(id)
    refuseIfCanceled(sub)
    checkProration(body.proration_behavior)
    const next = clone(item)
    setPrice(next, str(body.price, 'price'))
    setQuantity(next, int(body.quantity, 'quantity'), 'quantity')
    next.metadata = mergeMetadata(next.metadata, stringMap(body.metadata, 'metadata'))
    sub.items.data = sub.items.data.map((it) => (it.id === id ? next : it))
    return next
  })

  route('GET', '/v1/invoices/:id', ([id]) => {
    const invoice = invoices.get(id)
    if (!invoice) throw missing('invoice', id)
    return invoice
  })

  route('POST', '/v1/billing/meter_events', (_, body) => {
    const eventName = str(body.event_name, 'event_name', true)
    const payload = stringMap(body.payload, 'payload')
    if (!payload || Object.keys(payload).length === 0)
      throw invalid('Missing required param: payload.', { code: 'parameter_missing', param: 'payload' })
    // The value and the customer are Stripe's default payload keys; a meter with others is not modelled.
    if (!payload.stripe_customer_id)
      throw invalid('Missing required param: payload[stripe_customer_id].', {
        code: 'parameter_missing',
        param: 'payload[stripe_customer_id]',
      })
    if (!/^-?\d+(\.\d+)?$/.test(payload.value ?? ''))
      throw invalid('payload[value] must be a number sent as a string.', { param: 'payload[value]' })
    const now = nowS()
    const timestamp = int(body.timestamp, 'timestamp') ?? now
    // Documented bounds; the wording of Stripe's refusal is assumed.
    if (timestamp < now - 35 * 24 * 60 * 60 || timestamp > now + 5 * 60)
      throw invalid('Timestamp must be within the past 35 calendar days and no more than 5 minutes in the future.', {
        param: 'timestamp',
      })
    const identifier = str(body.identifier, 'identifier') ?? newId('mev_identifier')
    const previous = meterByIdentifier.get(identifier)
    if (previous && now - previous.created < METER_DEDUPE_WINDOW_S) {
      // What Stripe answers (reported by its users; its docs give no wording): a plain 400
      // invalid_request_error without a `code`, marked not worth retrying.
      throw new StripeHttpError(
        400,
        { type: 'invalid_request_error', message: `An event already exists with identifier ${identifier}.` },
        { 'stripe-should-retry': 'false' },
      )
    }
    const event: FakeMeterEvent = {
      object: 'billing.meter_event',
      event_name: eventName,
      identifier,
      payload,
      timestamp,
      created: now,
      livemode: false,
    }
    meterByIdentifier.set(identifier, event)
    accepted.push(event)
    return event
  })

  function cancelNow(sub: FakeSubscription): FakeSubscription {
    const now = nowS()
    sub.status = 'canceled'
    sub.canceled_at ??= now
    sub.ended_at = now
    sub.cancel_at_period_end = false
    return sub
  }

  // --- the server ------------------------------------------------------------

  function send(
    res: ServerResponse,
    status: number,
    body: unknown,
    requestId: string,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': requestId,
      'stripe-version': Stripe.API_VERSION,
      ...headers,
    })
    res.end(JSON.stringify(body, null, 2))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const rawBody = await readBody(req)
    const url = new URL(req.url ?? '/', 'http://fake')
    const method = req.method ?? ''
    const key = req.headers['idempotency-key']
    const recorded: RecordedStripeRequest = {
      method,
      path: req.url ?? '',
      pathname: url.pathname,
      query: parseStripeForm(url.search.slice(1)),
      body: parseStripeForm(rawBody),
      rawBody,
      headers: req.headers,
      idempotencyKey: typeof key === 'string' ? key : undefined,
    }
    requests.push(recorded)
    if (method === 'POST' && url.pathname === '/v1/billing/meter_events') {
      const identifier = recorded.body.identifier
      meterAttempts.push(typeof identifier === 'string' ? identifier : '')
    }
    const requestId = newId('req')

    try {
      if (!/^Bearer (sk|rk)_\S+$/.test(req.headers.authorization ?? ''))
        throw invalid(
          'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.',
          {},
          401,
        )
      const failure = failures.find((f) => url.pathname.startsWith(f.prefix))
      if (failure) {
        failure.remaining -= 1
        if (failure.remaining <= 0) failures = failures.filter((f) => f !== failure)
        throw injectedError(failure.status)
      }
      if (method === 'POST' && recorded.idempotencyKey !== undefined) {
        const saved = idempotent.get(recorded.idempotencyKey)
        if (saved) {
          if (saved.method !== method || saved.path !== url.pathname || saved.rawBody !== rawBody)
            throw new StripeHttpError(400, {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${recorded.idempotencyKey}' if you meant to execute a different request.`,
            })
          send(res, saved.status, saved.body, saved.requestId, { 'idempotent-replayed': 'true' })
          return
        }
      }
      const match = routes
        .filter((r) => r.method === method)
        .map((r) => ({ r, m: r.pattern.exec(url.pathname) }))
        .find((x) => x.m)
      if (!match)
        throw invalid(
          `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          {},
          404,
        )
      const params = match.m!.slice(1).map(decodeURIComponent)
      const body = clone(match.r.handle(params, recorded.body, recorded))
      // Only successes are kept: Stripe saves no result for a request refused before it ran,
      // and an injected failure stands for one that never reached the API, so a retry can succeed.
      if (method === 'POST' && recorded.idempotencyKey !== undefined)
        idempotent.set(recorded.idempotencyKey, { method, path: url.pathname, rawBody, status: 200, body, requestId })
      send(res, 200, body, requestId)
    } catch (error) {
      if (!(error instanceof StripeHttpError)) throw error
      send(res, error.status, { error: error.body }, requestId, error.headers)
    }
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy()
      send(res, 500, { error: { type: 'api_error', message: `Fake Stripe crashed: ${String(error)}` } }, 'req_crash')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  const signer = new Stripe('sk_test_signer', { telemetry: false })

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    webhookSecret,
    get requests() {
      return requests
    },
    client: (secretKey = 'sk_test_fake', config = {}) =>
      new Stripe(secretKey, {
        host: '127.0.0.1',
        port,
        protocol: 'http',
        maxNetworkRetries: 0,
        telemetry: false,
        ...config,
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    reset() {
      requests = []
      customers = new Map()
      sessions = new Map()
      sessionLines = new Map()
      subscriptionMetadata = new Map()
      meteredPrices = new Set(options.meteredPrices ?? [])
      portalSessions = []
      subscriptions = new Map()
      invoices = new Map()
      meterByIdentifier = new Map()
      accepted = []
      meterAttempts = []
      failures = []
      idempotent = new Map()
    },

    customers: () => clone([...customers.values()]),
    checkoutSessions: () => clone([...sessions.values()]),
    portalSessions: () => clone(portalSessions),
    subscriptions: () => clone([...subscriptions.values()]),
    subscription: (id) => clone(getSubscription(id)),
    lineItems(sessionId) {
      const lines = sessionLines.get(sessionId)
      if (!lines) throw new Error(`fake Stripe: no checkout session ${sessionId}`)
      return clone(lines)
    },

    completeCheckout(sessionId, opts = {}) {
      const session = sessions.get(sessionId)
      if (!session) throw new Error(`fake Stripe: no checkout session ${sessionId}`)
      if (session.status !== 'open') throw new Error(`fake Stripe: checkout session ${sessionId} is ${session.status}`)
      let customer = session.customer
      if (!customer) {
        // Stripe makes a customer when the session was opened without one.
        customer = newId('cus')
        customers.set(customer, {
          id: customer,
          object: 'customer',
          name: null,
          email: session.customer_email,
          metadata: {},
          created: nowS(),
          livemode: false,
        })
      }
      const now = nowS()
      const id = newId('sub')
      const items = (sessionLines.get(sessionId) ?? []).map((line): FakeSubscriptionItem => ({
        id: newId('si'),
        object: 'subscription_item',
        subscription: id,
        ...(line.quantity === undefined ? {} : { quantity: line.quantity }),
        current_period_start: now,
        current_period_end: now + PERIOD_S,
        metadata: {},
        created: now,
        price: price(line.price, meteredPrices.has(line.price) ? 'metered' : 'licensed'),
      }))
      const subscription: FakeSubscription = {
        id,
        object: 'subscription',
        customer,
        status: opts.status ?? 'active',
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        metadata: { ...subscriptionMetadata.get(sessionId) },
        created: now,
        start_date: now,
        livemode: false,
        items: {
          object: 'list',
          data: items,
          has_more: false,
          total_count: items.length,
          url: '/v1/subscription_items',
        },
      }
      subscriptions.set(id, subscription)
      Object.assign(session, { status: 'complete', payment_status: 'paid', customer, subscription: id, url: null })
      return { session: clone(session), subscription: clone(subscription) }
    },

    updateSubscription(id, patch) {
      const sub = getSubscription(id)
      if (patch.status !== undefined) sub.status = patch.status
      setCancelAtPeriodEnd(sub, patch.cancel_at_period_end)
      sub.metadata = mergeMetadata(sub.metadata, patch.metadata)
      const changes = [...(patch.items ?? [])]
      if (patch.quantity !== undefined || patch.price !== undefined) {
        const first = sub.items.data[0]
        if (!first) throw new Error(`fake Stripe: subscription ${id} has no items`)
        changes.unshift({ id: first.id, quantity: patch.quantity, price: patch.price })
      }
      for (const change of changes) {
        const item = sub.items.data.find((i) => i.id === change.id)
        if (!item) throw new Error(`fake Stripe: subscription ${id} has no item ${change.id}`)
        setPrice(item, change.price)
        setQuantity(item, change.quantity, 'quantity')
      }
      for (const item of sub.items.data) {
        if (patch.current_period_start !== undefined) item.current_period_start = patch.current_period_start
        if (patch.current_period_end !== undefined) item.current_period_end = patch.current_period_end
      }
      return clone(sub)
    },

    deleteSubscription: (id) => clone(cancelNow(getSubscription(id))),

    createInvoice(subscriptionId, status) {
      const sub = getSubscription(subscriptionId)
      const invoice: FakeInvoice = {
        id: newId('in'),
        object: 'invoice',
        customer: sub.customer,
        subscription: sub.id,
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: sub.id, metadata: { ...sub.metadata } },
        },
        status,
        created: nowS(),
        livemode: false,
      }
      invoices.set(invoice.id, invoice)
      return clone(invoice)
    },

    event(type, object, opts = {}) {
      const event: FakeEvent<typeof object> = {
        id: newId('evt'),
        object: 'event',
        type,
        api_version: Stripe.API_VERSION,
        created: nowS(),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        data: {
          object: clone(object),
          ...(opts.previousAttributes ? { previous_attributes: opts.previousAttributes } : {}),
        },
      }
      const payload = JSON.stringify(event, null, 2)
      const signature = signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret })
      return { event, payload, signature }
    },

    failNext(pathPrefix, status, count = 1) {
      failures.push({ prefix: pathPrefix, status, remaining: count })
    },

    get meterEvents() {
      return accepted.length
    },
    get meterEventAttempts() {
      return meterAttempts.length
    },
    meterEventCount: (identifier) => meterAttempts.filter((i) => i === identifier).length,
    acceptedMeterEvents: () => clone(accepted),
  }
}
