import Stripe from 'stripe'
import type { Db } from '../../../db/client'
import type { ServerEnv } from '../../../db/env'
import type { PlanId } from '../../../shared/plans'

/** Everything billing needs from the environment; absent when STRIPE_SECRET_KEY is not set. */
export interface BillingDeps {
  db: Db
  stripe: Stripe
  webhookSecret: string
  /** The subscription price of each paid plan. */
  prices: Record<Exclude<PlanId, 'free'>, string>
  /** The metered price for overage, on the meter named `meterEventName`. */
  overagePrice: string
  meterEventName: string
  /** Where Stripe sends people back to (Checkout, the portal). */
  appUrl: string
}

/** Billing wired to Stripe, or null when this server has no Stripe keys (billing not configured). */
export function createBillingDeps(db: Db, env: ServerEnv): BillingDeps | null {
  if (!env.STRIPE_SECRET_KEY) return null
  // parseEnv requires these whenever STRIPE_SECRET_KEY is set.
  const required = (name: string, value: string | undefined) => {
    if (!value) throw new Error(`${name} is required when STRIPE_SECRET_KEY is set`)
    return value
  }
  return {
    db,
    stripe: createStripeClient(env.STRIPE_SECRET_KEY, env.STRIPE_API_URL),
    webhookSecret: required('STRIPE_WEBHOOK_SECRET', env.STRIPE_WEBHOOK_SECRET),
    prices: {
      pro: required('STRIPE_PRICE_PRO', env.STRIPE_PRICE_PRO),
      team: required('STRIPE_PRICE_TEAM', env.STRIPE_PRICE_TEAM),
    },
    overagePrice: required('STRIPE_PRICE_OVERAGE', env.STRIPE_PRICE_OVERAGE),
    meterEventName: env.STRIPE_METER_EVENT_NAME,
    appUrl: env.BETTER_AUTH_URL,
  }
}

/** The production client; `apiUrl` points it at another host (a local server speaking Stripe's API, in tests). */
export function createStripeClient(secretKey: string, apiUrl?: string): Stripe {
  const target = apiUrl ? new URL(apiUrl) : null
  return new Stripe(secretKey, {
    telemetry: false,
    maxNetworkRetries: 2,
    ...(target
      ? {
          host: target.hostname,
          port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
          protocol: target.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  })
}
