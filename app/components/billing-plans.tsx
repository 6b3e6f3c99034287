import type { ReactNode } from 'react'
import { formatMicros } from '../../shared/money'
import { PLAN_IDS, PLANS, type Plan, type PlanId } from '../../shared/plans'
import { changeVerb, formatCents } from './billing-status'
import { Button } from './ui'

/** What can be chosen in the table: absent when the viewer may not change the plan or billing is off. */
export interface PlanChoice {
  /** The plan a change starts from: the one paid for, else the one that applies. */
  from: PlanId
  /** The plan whose checkout is opening, to say so on its button. */
  opening: PlanId | null
  disabled: boolean
  onChoose: (plan: PlanId) => void
}

const ROWS: Array<[label: string, cell: (plan: Plan) => ReactNode]> = [
  [
    'Price',
    (p) =>
      p.price ? (
        <Value main={formatCents(p.price.cents)} sub={p.price.per === 'seat' ? 'per member / month' : 'per month'} />
      ) : (
        <Value main="Free" />
      ),
  ],
  ['Members', (p) => <Value main={String(p.limits.members)} />],
  ['Sidekiqs', (p) => <Value main={p.limits.sidekiqs === null ? 'Unlimited' : String(p.limits.sidekiqs)} />],
  ['Included usage', (p) => <Value main={formatMicros(p.includedUsageMicros)} sub="/ month" />],
  ['Budget cap', (p) => <Value main={formatMicros(p.limits.monthlyBudgetMicros)} sub="/ month" />],
  [
    'Overage',
    (p) =>
      p.overageCentsPerUnit === null ? (
        <Value main="None" sub="calls stop" />
      ) : (
        <Value main={`${formatCents(p.overageCentsPerUnit)} per ${formatCents(100)}`} sub="beyond included" />
      ),
  ],
]

/** Free, Pro and Team side by side, then a way to change plan for those who may. */
export function PlanTable({ current, choice }: { current: PlanId; choice?: PlanChoice }) {
  const plans = PLAN_IDS.map((id) => PLANS[id])
  const choosable = (p: Plan) => choice !== undefined && p.paid && p.id !== choice.from
  return (
    <>
      <div className="-mx-2 overflow-x-auto sm:-mx-3">
        <table className="w-full text-sm" data-testid="plan-table">
          <caption className="sr-only">Plans and what each includes</caption>
          <thead>
            <tr>
              <td className="px-2 sm:px-3 py-2" />
              {plans.map((p) => (
                <th
                  key={p.id}
                  scope="col"
                  className="px-2 sm:px-3 py-2 text-left align-bottom font-semibold text-zinc-900"
                >
                  {p.label}
                  {p.id === current ? (
                    <span className="mt-1 block w-fit rounded bg-indigo-100 px-1.5 py-0.5 text-xs font-medium text-indigo-800 sm:mt-0 sm:ml-1.5 sm:inline">
                      Current
                    </span>
                  ) : null}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {ROWS.map(([label, cell]) => (
              <tr key={label}>
                <th scope="row" className="px-2 sm:px-3 py-2 text-left align-top text-xs font-medium text-zinc-500">
                  {label}
                </th>
                {plans.map((p) => (
                  <td key={p.id} className={`px-2 sm:px-3 py-2 align-top ${p.id === current ? 'bg-indigo-50/50' : ''}`}>
                    {cell(p)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {choice && plans.some(choosable) ? (
        // Below the table rather than in it: at phone width a column is too narrow for a button.
        <div className="mt-4 flex flex-wrap justify-end gap-2">
          {plans.filter(choosable).map((p) => (
            <Button
              key={p.id}
              data-testid={`upgrade-${p.id}`}
              variant={changeVerb(choice.from, p.id) === 'Upgrade' ? 'primary' : 'secondary'}
              disabled={choice.disabled}
              onClick={() => choice.onChoose(p.id)}
            >
              {choice.opening === p.id ? 'Opening checkout…' : `${changeVerb(choice.from, p.id)} to ${p.label}`}
            </Button>
          ))}
        </div>
      ) : null}
    </>
  )
}

function Value({ main, sub }: { main: string; sub?: string }) {
  return (
    <>
      <div className="font-medium text-zinc-900 tabular-nums">{main}</div>
      {sub ? <div className="text-xs text-zinc-500">{sub}</div> : null}
    </>
  )
}
