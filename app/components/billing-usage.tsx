import { formatMicros } from '../../shared/money'
import { PLANS } from '../../shared/plans'
import type { BillingOverview } from '../../shared/schemas/billing'
import { formatCents, showRange } from './billing-status'
import { Card } from './ui'

/** The period's model usage against what the plan includes and the hard cap. */
export function BillingUsage({ overview }: { overview: BillingOverview }) {
  const { spentMicros: spent, includedMicros: included, budgetMicros: budget, overageMicros: overage } = overview.usage
  const plan = PLANS[overview.plan]
  const rate = plan.overageCentsPerUnit
  const share = (micros: number) => (budget > 0 ? Math.min(100, Math.max(0, (micros / budget) * 100)) : 0)
  const withinIncluded = Math.min(spent, included)
  const explanation =
    rate === null
      ? `The ${plan.label} plan has no overage: AI calls stop once the included usage is spent.`
      : `Beyond the included ${formatMicros(included)}, model cost is billed at ${formatCents(rate)} per ${formatCents(100)}, up to the budget cap of ${formatMicros(budget)}; past the cap, AI calls stop until the next period.`
  return (
    <Card
      title="Usage this period"
      description={`${showRange(overview.usage.periodFrom, overview.usage.periodTo)}. ${explanation}`}
    >
      <p className="text-sm text-zinc-600">
        <span className="text-lg font-semibold text-zinc-900 tabular-nums" data-testid="billing-spent">
          {formatMicros(spent)}
        </span>{' '}
        spent of {formatMicros(included)} included
      </p>
      <div
        role="meter"
        aria-label="Usage this period"
        aria-valuemin={0}
        aria-valuemax={budget}
        aria-valuenow={Math.min(spent, budget)}
        aria-valuetext={`${formatMicros(spent)} spent; ${formatMicros(included)} included, cap ${formatMicros(budget)}`}
        className="relative mt-3 flex h-3 overflow-hidden rounded-full bg-zinc-100"
      >
        <div className="bg-indigo-500" style={{ width: `${share(withinIncluded)}%` }} />
        <div className="bg-amber-400" style={{ width: `${share(overage)}%` }} />
        {included < budget ? (
          // Where the included usage ends and overage begins.
          <div className="absolute inset-y-0 w-0.5 bg-zinc-500" style={{ left: `${share(included)}%` }} aria-hidden />
        ) : null}
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
        <Figure label="Spent" value={formatMicros(spent)} />
        <Figure label="Included" value={formatMicros(included)} />
        <Figure label="Budget cap" value={formatMicros(budget)} />
        <Figure
          label="Overage so far"
          value={rate === null ? 'None' : formatMicros(overage)}
          note={rate !== null && overage > 0 ? `billed ${formatMicros(Math.round((overage * rate) / 100))}` : undefined}
          testId="billing-overage"
        />
      </dl>
    </Card>
  )
}

function Figure({ label, value, note, testId }: { label: string; value: string; note?: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="mt-0.5 truncate font-medium text-zinc-900 tabular-nums" data-testid={testId}>
        {value}
      </dd>
      {note ? <dd className="truncate text-xs text-zinc-500">{note}</dd> : null}
    </div>
  )
}
