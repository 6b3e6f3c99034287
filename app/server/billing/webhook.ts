import Stripe from 'stripe'
import { applyStripeEvent, findWorkspaceByCustomer, type StripeEventResult } from '../../../db/billing'
import { AppError } from '../../../shared/errors'
import type { BillingDeps } from './deps'
import { syncSeats } from './seats'
import { toSnapshot } from './subscription'

/**
 * Stripe's webhook: verifies the signature over the exact raw body (400 if
 * it does not match), then brings the workspace in step with the
 * subscription the event is about. The subscription is read back from
 * Stripe rather than taken from the event, so events arriving late or out
 * of order still leave the latest state; each event id is applied once.
 * A failure to reach Stripe rejects (500), and Stripe delivers the event
 * again later.
 */
export async function handleStripeWebhook(
  deps: BillingDeps,
  rawBody: string,
  signature: string | null,
): Promise<{ result: StripeEventResult; type: string }> {
  let event: Stripe.Event
  try {
    event = await deps.stripe.webhooks.constructEventAsync(rawBody, signature ?? '', deps.webhookSecret)
  } catch {
    throw new AppError('BAD_REQUEST', 'Invalid Stripe signature')
  }
  const subscriptionId = subscriptionOf(event)
  if (!subscriptionId) return { result: await applyStripeEvent(deps.db, event, null), type: event.type }
  const subscription = await readSubscription(deps, subscriptionId, event)
  const workspaceId = await workspaceOf(deps, subscription, event)
  const change = workspaceId ? { workspaceId, subscription: toSnapshot(deps, subscription) } : null
  const result = await applyStripeEvent(deps.db, event, change)
  if (result === 'applied' && workspaceId) {
    // Members may have come or gone while the subscription was being set up.
    await syncSeats(deps, workspaceId).catch(() => undefined)
  }
  return { result, type: event.type }
}

/** The subscription an event is about, for the events billing follows; null for the rest. */
function subscriptionOf(event: Stripe.Event): string | null {
  const idOf = (value: string | { id: string } | null | undefined) =>
    typeof value === 'string' ? value : (value?.id ?? null)
  switch (event.type) {
    case 'checkout.session.completed':
      return event.data.object.mode === 'subscription' ? idOf(event.data.object.subscription) : null
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return event.data.object.id
    case 'invoice.paid':
    case 'invoice.payment_failed':
      return idOf(event.data.object.parent?.subscription_details?.subscription)
    default:
      return null
  }
}

async function readSubscription(deps: BillingDeps, id: string, event: Stripe.Event): Promise<Stripe.Subscription> {
  try {
    return await deps.stripe.subscriptions.retrieve(id)
  } catch (error) {
    // Gone from Stripe (deleted long ago): what the event carried is all there is.
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode === 404) {
      if (event.data.object.object === 'subscription') return event.data.object as Stripe.Subscription
    }
    throw error
  }
}

/** The workspace a subscription bills: its metadata (set at checkout), else its customer. */
async function workspaceOf(
  deps: BillingDeps,
  subscription: Stripe.Subscription,
  event: Stripe.Event,
): Promise<string | null> {
  const customerId = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id
  const byCustomer = await findWorkspaceByCustomer(deps.db, customerId)
  if (byCustomer) return byCustomer.workspaceId
  const fromCheckout =
    event.type === 'checkout.session.completed' ? (event.data.object.client_reference_id ?? null) : null
  // Only a workspace without a customer of its own may adopt this one (checkout created it for it).
  const claimed = subscription.metadata?.workspaceId ?? fromCheckout
  return claimed ?? null
}
