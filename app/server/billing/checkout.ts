import Stripe from 'stripe'
import {
  countMembers,
  readWorkspaceBilling,
  requireBillingManager,
  setStripeCustomer,
  type WorkspaceBilling,
} from '../../../db/billing'
import type { Db } from '../../../db/client'
import { isLiveSubscription } from '../../../shared/billing'
import { AppError } from '../../../shared/errors'
import { PLANS } from '../../../shared/plans'
import { checkoutInput } from '../../../shared/schemas/billing'
import { parseInput } from '../../../shared/validation'
import type { BillingDeps } from './deps'

/**
 * Starts Stripe Checkout to put a workspace on a paid plan: owners and
 * admins only. The workspace is the Stripe customer (created on first use);
 * the session and the subscription carry the workspace id, which is how the
 * webhook finds the workspace again. Returns the Checkout URL.
 */
export async function startCheckout(
  db: Db,
  deps: BillingDeps | null,
  actorId: string,
  workspaceId: string,
  input: unknown,
): Promise<{ url: string }> {
  const { plan } = parseInput(checkoutInput, input)
  await requireBillingManager(db, actorId, workspaceId)
  const billing = requireConfigured(deps)
  const current = await readWorkspaceBilling(billing.db, workspaceId)
  if (current.stripeSubscriptionId && isLiveSubscription(current.status)) {
    throw new AppError(
      'CONFLICT',
      current.subscribedPlan === plan
        ? `This workspace is already on the ${PLANS[plan].label} plan`
        : 'This workspace has a subscription: change its plan in Manage billing',
    )
  }
  const customer = await ensureCustomer(billing, current)
  const seats = PLANS[plan].price?.per === 'seat' ? await countMembers(billing.db, workspaceId) : 1
  const back = `${billing.appUrl}/w/${encodeURIComponent(current.slug)}/billing`
  const session = await callStripe(() =>
    billing.stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: workspaceId,
      line_items: [{ price: billing.prices[plan as 'pro' | 'team'], quantity: seats }, { price: billing.overagePrice }],
      success_url: `${back}?checkout=success`,
      cancel_url: `${back}?checkout=cancelled`,
      metadata: { workspaceId, plan },
      subscription_data: { metadata: { workspaceId, plan } },
    }),
  )
  if (!session.url) throw new AppError('UPSTREAM_FAILED', 'Stripe did not return a checkout page; try again')
  return { url: session.url }
}

/** Opens the Stripe Customer Portal (manage, change or cancel the plan): owners and admins only. */
export async function openPortal(
  db: Db,
  deps: BillingDeps | null,
  actorId: string,
  workspaceId: string,
): Promise<{ url: string }> {
  await requireBillingManager(db, actorId, workspaceId)
  const billing = requireConfigured(deps)
  const current = await readWorkspaceBilling(billing.db, workspaceId)
  if (!current.stripeCustomerId) {
    throw new AppError('CONFLICT', 'This workspace has no billing account yet: upgrade first')
  }
  const session = await callStripe(() =>
    billing.stripe.billingPortal.sessions.create({
      customer: current.stripeCustomerId!,
      return_url: `${billing.appUrl}/w/${encodeURIComponent(current.slug)}/billing`,
    }),
  )
  return { url: session.url }
}

async function ensureCustomer(billing: BillingDeps, current: WorkspaceBilling): Promise<string> {
  if (current.stripeCustomerId) return current.stripeCustomerId
  const customer = await callStripe(() =>
    billing.stripe.customers.create(
      { name: current.name, metadata: { workspaceId: current.workspaceId } },
      // Two checkouts started together create one customer.
      { idempotencyKey: `workspace-customer-${current.workspaceId}` },
    ),
  )
  return setStripeCustomer(billing.db, current.workspaceId, customer.id)
}

function requireConfigured(deps: BillingDeps | null): BillingDeps {
  if (!deps) throw new AppError('NOT_CONFIGURED', 'Billing is not configured on this server')
  return deps
}

/** Stripe's failures become one clear, retryable error; ours pass through. */
export async function callStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      throw new AppError('UPSTREAM_FAILED', `Stripe could not complete this: ${error.message}`)
    }
    throw error
  }
}
