import { useEffect, useState, type ReactNode } from 'react'
import { isLiveSubscription } from '../../shared/billing'
import { PLANS, type PlanId } from '../../shared/plans'
import type { BillingOverview, CheckoutInput } from '../../shared/schemas/billing'
import { api } from '../lib/api'
import { PastDueBanner } from './billing-banner'
import { PlanTable } from './billing-plans'
import { billedPlan, formatCents, hasStripeCustomer, statusText } from './billing-status'
import { BillingUsage } from './billing-usage'
import { Button, Card, Notice } from './ui'
import { useAction } from './use-action'
import { useApiData } from './use-api-data'
import { rememberCheckout, useCheckoutReturn, type BillingSearch, type CheckoutReturn } from './use-checkout-return'

// Often enough that a plan bought in another tab, or changed by Stripe's
// webhook, shows up while the reader is still looking.
const REFRESH_MS = 5_000

/** Where the viewer is being sent: a plan's checkout or the billing portal. */
type Opening = PlanId | 'portal'

interface Props {
  workspace: { id: string; name: string }
  checkout: BillingSearch['checkout']
  /** Called once a checkout's plan change has arrived, to drop `?checkout` from the URL. */
  onCheckoutSettled: () => void
}

/** The workspace's plan, its status, this period's usage and the plans to choose from. */
export function BillingPanel({ workspace, checkout, onCheckoutSettled }: Props) {
  const base = `/api/workspaces/${encodeURIComponent(workspace.id)}/billing`
  const { data, error } = useApiData<BillingOverview>(base, { refreshMs: REFRESH_MS })
  const returned = useCheckoutReturn(workspace.id, checkout, data?.plan, onCheckoutSettled)
  const [opening, setOpening] = useState<Opening | null>(null)
  const act = useAction((path: string, body: CheckoutInput | Record<string, never>) => api<{ url: string }>(path, body))
  // Back from Stripe, the browser may restore this page as it was left: with the buttons still waiting.
  useEffect(() => {
    const onShow = (e: PageTransitionEvent) => e.persisted && setOpening(null)
    window.addEventListener('pageshow', onShow)
    return () => window.removeEventListener('pageshow', onShow)
  }, [])

  const open = async (target: Opening) => {
    setOpening(target)
    const answer =
      target === 'portal' ? await act.run(`${base}/portal`, {}) : await act.run(`${base}/checkout`, { plan: target })
    if (!answer) return setOpening(null)
    if (target !== 'portal') rememberCheckout(workspace.id, target)
    window.location.assign(answer.url)
  }
  const busy = act.pending || opening !== null

  return (
    <div className="mx-auto max-w-4xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
      <header>
        <p className="text-sm text-zinc-500">{workspace.name}</p>
        <h1 className="mt-1 text-2xl font-semibold text-zinc-900">Billing</h1>
        <p className="mt-2 text-sm text-zinc-600">The plan, this period’s usage and what each plan includes.</p>
      </header>

      {data?.status === 'past_due' ? (
        <PastDueBanner
          overview={data}
          action={
            <span>
              {data.canManage && data.configured
                ? 'Update the payment method with Manage billing.'
                : 'Ask an owner or admin to update the payment method.'}
            </span>
          }
        />
      ) : null}
      <CheckoutNotice returned={returned} />
      {error ? <Notice tone="error">{error}</Notice> : null}
      {act.error ? <Notice tone="error">{act.error}</Notice> : null}
      {data && !data.configured ? (
        <div data-testid="billing-not-configured">
          <Notice>
            Billing is not configured on this server: plans cannot be bought or changed here. The table below shows what
            each plan allows.
          </Notice>
        </div>
      ) : null}

      {data ? (
        <>
          <CurrentPlan
            overview={data}
            manage={
              data.configured && data.canManage && hasStripeCustomer(data) ? (
                <Button
                  variant="secondary"
                  data-testid="manage-billing"
                  disabled={busy}
                  onClick={() => void open('portal')}
                >
                  {opening === 'portal' ? 'Opening billing…' : 'Manage billing'}
                </Button>
              ) : null
            }
          />
          <BillingUsage overview={data} />
          <Card title="Plans" description="Prices are per month. Limits apply to the whole workspace.">
            <PlanTable
              current={data.plan}
              choice={
                // A live subscription changes plan in Stripe's portal (the server refuses a second checkout).
                data.configured && data.canManage && !hasLiveSubscription(data)
                  ? {
                      from: billedPlan(data) ?? data.plan,
                      opening: opening === 'portal' ? null : opening,
                      disabled: busy,
                      onChoose: (plan) => void open(plan),
                    }
                  : undefined
              }
            />
            {data.configured && !data.canManage ? (
              <p className="mt-4 text-sm text-zinc-600">Only owners and admins can change the plan.</p>
            ) : null}
            {data.configured && data.canManage && hasLiveSubscription(data) ? (
              <p className="mt-4 text-sm text-zinc-600">Change or cancel the plan with Manage billing.</p>
            ) : null}
          </Card>
        </>
      ) : !error ? (
        <p role="status" className="text-sm text-zinc-500">
          Loading billing…
        </p>
      ) : null}
    </div>
  )
}

function hasLiveSubscription(o: BillingOverview): boolean {
  return o.subscribedPlan !== null && isLiveSubscription(o.status)
}

function CheckoutNotice({ returned }: { returned: CheckoutReturn }) {
  switch (returned.state) {
    case 'waiting':
      return <Notice>Thanks — your plan will update in a moment.</Notice>
    case 'done':
      return <Notice tone="success">Thanks — the workspace is now on the {PLANS[returned.plan].label} plan.</Notice>
    case 'cancelled':
      return <Notice>Checkout was cancelled; nothing was bought.</Notice>
    case 'none':
      return null
  }
}

function CurrentPlan({ overview: o, manage }: { overview: BillingOverview; manage: ReactNode }) {
  const plan = PLANS[o.plan]
  const { count, limit } = o.members
  return (
    <Card title="Current plan">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 flex-1 basis-64">
          <p className="flex flex-wrap items-baseline gap-x-2">
            <span className="text-2xl font-semibold text-zinc-900" data-testid="billing-plan">
              {plan.label}
            </span>
            <span className="text-sm text-zinc-500">
              {plan.price
                ? `${formatCents(plan.price.cents)} ${plan.price.per === 'seat' ? 'per member' : 'per workspace'} / month`
                : 'No charge'}
            </span>
          </p>
          <p className="mt-2 text-sm text-zinc-700" data-testid="billing-status">
            {statusText(o)}
          </p>
        </div>
        {manage}
      </div>
      <div className="mt-4 border-t border-zinc-100 pt-4 text-sm">
        <p className="text-zinc-700" data-testid="billing-members">
          <span className="font-medium text-zinc-900 tabular-nums">{count}</span> of{' '}
          <span className="tabular-nums">{limit}</span> members
        </p>
        {o.overLimit.members ? (
          <p
            className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-amber-900 ring-1 ring-amber-200"
            data-testid="billing-over-limit"
          >
            Over the {plan.label} plan’s member limit: no new members until the workspace is back to {limit} members or
            moves to a bigger plan.
          </p>
        ) : null}
      </div>
    </Card>
  )
}
