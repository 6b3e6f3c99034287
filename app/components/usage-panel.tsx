import { useEffect, useState, type ReactNode } from 'react'
import { z } from 'zod'
import { can } from '../../shared/capabilities'
import { formatMicros } from '../../shared/money'
import { findModel } from '../../shared/models'
import type { WorkspaceRole } from '../../shared/roles'
import { currentPeriod, type UsageSummary, type UsageTotals } from '../../shared/schemas/usage'
import { api, ApiError, errorMessage } from '../lib/api'
import { Button, Card, Input, Notice } from './ui'
import { fillDays, UsageChart } from './usage-chart'

/**
 * Search params of the usage page: inclusive UTC days, as the date inputs
 * show them. Either may be missing; the current budget period fills in.
 */
export const usageSearch = z.object({
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
})
export type UsageRange = z.output<typeof usageSearch>

type UsageReport = UsageSummary & { scope: 'workspace' | 'mine' }

const DAY_MS = 24 * 60 * 60 * 1000
const isoDay = (d: Date) => d.toISOString().slice(0, 10)
const addDays = (day: string, n: number) => isoDay(new Date(Date.parse(day) + n * DAY_MS))

// One fixed locale, as for money (shared/money.ts).
const count = new Intl.NumberFormat('en-US')
const longDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' })
/** An ISO instant's UTC day, e.g. "Nov 3, 2026". */
const showDay = (iso: string) => longDay.format(new Date(iso))
/** A range whose `to` is exclusive, shown with its last day. */
const showRange = (from: string, to: string) =>
  `${showDay(from)} – ${showDay(new Date(Date.parse(to) - 1).toISOString())}`

/** The current budget period as inclusive days, the page's default range. */
function periodDays(): { from: string; to: string } {
  const p = currentPeriod()
  return { from: isoDay(p.from), to: addDays(isoDay(p.to), -1) }
}

function last30Days(): { from: string; to: string } {
  const today = isoDay(new Date())
  return { from: addDays(today, -29), to: today }
}

interface LoadError {
  message: string
  /** The API's per-field explanations, e.g. why a range was refused. */
  details: string[]
}

/**
 * Fetches the report for `path`. Not `useApiData`: the result is tagged with
 * the path it answers, so a range change never shows the old range's figures
 * as the new one's, and a refusal keeps its field messages.
 */
function useUsageReport(path: string) {
  const [result, setResult] = useState<{ path: string; data?: UsageReport; error?: LoadError } | null>(null)
  useEffect(() => {
    let live = true
    api<UsageReport>(path).then(
      (data) => live && setResult({ path, data }),
      (e: unknown) =>
        live &&
        setResult({
          path,
          error: {
            message: errorMessage(e),
            details: e instanceof ApiError && e.fields ? Object.values(e.fields) : [],
          },
        }),
    )
    return () => {
      live = false
    }
  }, [path])
  return { result, loading: result?.path !== path }
}

interface Props {
  workspace: { id: string; name: string }
  role: WorkspaceRole
  range: UsageRange
  onRangeChange: (range: UsageRange) => void
}

/** AI usage and budget of a workspace: everyone's for those who manage billing, the viewer's own for others. */
export function UsagePanel({ workspace, role, range, onRangeChange }: Props) {
  const defaults = periodDays()
  const from = range.from ?? defaults.from
  const to = range.to ?? defaults.to
  // The API takes `to` exclusive; the inputs show the last day included.
  const path = `/api/workspaces/${encodeURIComponent(workspace.id)}/usage?from=${from}&to=${addDays(to, 1)}`
  const { result, loading } = useUsageReport(path)
  // Until the first answer, the role predicts which figures the API will send.
  const everyone = result?.data ? result.data.scope === 'workspace' : can(role, 'workspace:billing')
  const report = result?.data

  return (
    <div className="mx-auto max-w-4xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
      <header>
        <p className="text-sm text-zinc-500">{workspace.name}</p>
        <h1 className="mt-1 text-2xl font-semibold text-zinc-900">{everyone ? 'Usage' : 'Your usage'}</h1>
        <p className="mt-2 text-sm text-zinc-600">
          {everyone
            ? 'AI calls made by everyone in this workspace.'
            : 'AI calls you made in this workspace. Owners and admins see everyone’s usage.'}
        </p>
      </header>

      <RangePicker from={from} to={to} onChange={onRangeChange} />

      <div aria-busy={loading} data-testid="usage-report" className={loading && report ? 'opacity-60' : ''}>
        {result?.error && !loading ? (
          <Notice tone="error">
            <p>{result.error.message}</p>
            {result.error.details.map((d) => (
              <p key={d}>{d}</p>
            ))}
          </Notice>
        ) : report ? (
          <Report report={report} everyone={everyone} />
        ) : (
          <p role="status" className="text-sm text-zinc-500">
            Loading usage…
          </p>
        )}
      </div>
    </div>
  )
}

function RangePicker({ from, to, onChange }: { from: string; to: string; onChange: (range: UsageRange) => void }) {
  // Drafts, so a half-typed date stays in its box instead of being reset by the URL.
  const [draft, setDraft] = useState({ from, to })
  useEffect(() => setDraft({ from, to }), [from, to])
  // Typing a year passes through complete but unmeant dates (0002, 0020…):
  // ask for a range only once the inputs rest. An input reports '' until its
  // date is complete.
  useEffect(() => {
    if (!draft.from || !draft.to || (draft.from === from && draft.to === to)) return
    const timer = setTimeout(() => onChange(draft), 400)
    return () => clearTimeout(timer)
  }, [draft, from, to, onChange])
  const edit = (key: 'from' | 'to', value: string) => setDraft((d) => ({ ...d, [key]: value }))
  const period = periodDays()
  const recent = last30Days()
  const isPeriod = from === period.from && to === period.to
  const isRecent = from === recent.from && to === recent.to
  return (
    <Card>
      <div className="flex flex-wrap items-end gap-3">
        <label className="block">
          <span className="mb-1 block text-sm font-medium text-zinc-700">From</span>
          <Input type="date" className="w-40" value={draft.from} onChange={(e) => edit('from', e.target.value)} />
        </label>
        <label className="block">
          <span className="mb-1 block text-sm font-medium text-zinc-700">To</span>
          <Input type="date" className="w-40" value={draft.to} onChange={(e) => edit('to', e.target.value)} />
        </label>
        <div className="flex gap-2">
          <Button variant={isPeriod ? 'primary' : 'secondary'} aria-pressed={isPeriod} onClick={() => onChange({})}>
            This period
          </Button>
          <Button variant={isRecent ? 'primary' : 'secondary'} aria-pressed={isRecent} onClick={() => onChange(recent)}>
            Last 30 days
          </Button>
        </div>
      </div>
      <p className="mt-3 text-xs text-zinc-500">Days run midnight to midnight UTC; both days are included.</p>
    </Card>
  )
}

function Report({ report, everyone }: { report: UsageReport; everyone: boolean }) {
  const empty = report.totals.calls === 0
  return (
    <div className="space-y-6">
      <BudgetMeter report={report} />
      <p className="text-sm text-zinc-600" data-testid="usage-range">
        Showing {showRange(report.from, report.to)}
      </p>
      {empty ? (
        <Card>
          <div className="py-6 text-center" data-testid="usage-empty">
            <p className="text-base font-medium text-zinc-900">No AI usage in this period yet</p>
            <p className="mt-1 text-sm text-zinc-500">
              {everyone ? 'Calls anyone makes' : 'Calls you make'} to a model between these days will show up here.
            </p>
          </div>
        </Card>
      ) : (
        <>
          <Totals totals={report.totals} />
          <Card title="Daily cost">
            <UsageChart days={fillDays(report.from, report.to, report.byDay)} />
          </Card>
          {everyone ? (
            <Card title="By member">
              <TotalsTable
                label="Member"
                testId="usage-by-member"
                rows={report.byMember.map((m) => ({
                  key: m.userId,
                  name: m.name ?? 'Deleted account',
                  sub: m.email ?? undefined,
                  totals: m,
                }))}
              />
            </Card>
          ) : null}
          <Card title="By model">
            <TotalsTable
              label="Model"
              testId="usage-by-model"
              rows={report.byModel.map((m) => {
                const label = findModel(m.model)?.label
                return { key: m.model, name: label ?? m.model, sub: label ? m.model : undefined, totals: m }
              })}
            />
          </Card>
        </>
      )}
    </div>
  )
}

function BudgetMeter({ report }: { report: UsageReport }) {
  const { budgetMicros: budget, spentMicros: spent, reservedMicros: reserved } = report
  const used = spent + reserved
  const percent = budget > 0 ? (used / budget) * 100 : used > 0 ? 100 : 0
  // Rounded down, so "100% used" means the budget really is gone.
  const shownPercent =
    percent > 0 && percent < 0.1
      ? '<0.1'
      : percent < 10
        ? String(Math.floor(percent * 10) / 10)
        : String(Math.floor(percent))
  const width = (micros: number) => `${budget > 0 ? Math.min(100, (micros / budget) * 100) : 0}%`
  return (
    <Card
      title="Workspace budget"
      description={`This period, ${showRange(report.period.from, report.period.to)}. Reserved is held by calls still in progress.`}
    >
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <p className="text-sm text-zinc-600">
          <span className="text-lg font-semibold text-zinc-900" data-testid="usage-budget-used">
            {formatMicros(used)}
          </span>{' '}
          of {formatMicros(budget)}
        </p>
        <p className="text-sm font-medium text-zinc-900" data-testid="usage-percent">
          {shownPercent}% used
        </p>
      </div>
      <div
        role="meter"
        aria-label="Budget used this period"
        aria-valuemin={0}
        aria-valuemax={budget}
        aria-valuenow={Math.min(used, budget)}
        aria-valuetext={`${shownPercent}% used: ${formatMicros(used)} of ${formatMicros(budget)}`}
        className="mt-3 flex h-3 overflow-hidden rounded-full bg-zinc-100"
      >
        <div className={percent >= 100 ? 'bg-red-500' : 'bg-indigo-500'} style={{ width: width(spent) }} />
        <div className="bg-amber-400" style={{ width: width(reserved) }} />
      </div>
      <dl className="mt-4 grid grid-cols-3 gap-3 text-sm">
        <Figure label="Spent" swatch="bg-indigo-500" value={formatMicros(spent)} />
        <Figure label="Reserved" swatch="bg-amber-400" value={formatMicros(reserved)} />
        <Figure label="Remaining" swatch="bg-zinc-200" value={formatMicros(report.remainingMicros)} />
      </dl>
    </Card>
  )
}

function Figure({ label, swatch, value }: { label: string; swatch: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="flex items-center gap-1.5 text-xs text-zinc-500">
        <span className={`h-2.5 w-2.5 shrink-0 rounded-sm ${swatch}`} aria-hidden />
        {label}
      </dt>
      <dd className="mt-0.5 truncate font-medium text-zinc-900 tabular-nums">{value}</dd>
    </div>
  )
}

function Totals({ totals }: { totals: UsageTotals }) {
  const tiles: Array<[string, string, string]> = [
    ['Calls', count.format(totals.calls), 'usage-total-calls'],
    ['Input tokens', count.format(totals.inputTokens), 'usage-total-input'],
    ['Output tokens', count.format(totals.outputTokens), 'usage-total-output'],
    ['Cost', formatMicros(totals.costMicros), 'usage-total-cost'],
  ]
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
      {tiles.map(([label, value, testId]) => (
        <div key={label} className="rounded-xl bg-white p-4 shadow-sm ring-1 ring-zinc-200">
          <dt className="text-xs font-medium text-zinc-500">{label}</dt>
          <dd className="mt-1 truncate text-xl font-semibold text-zinc-900 tabular-nums" data-testid={testId}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  )
}

interface Row {
  key: string
  name: string
  sub?: string
  totals: UsageTotals
}

function TotalsTable({ label, rows, testId }: { label: string; rows: Row[]; testId: string }) {
  const num = 'px-3 py-2 text-right tabular-nums'
  // Token columns give way first on a phone; calls and cost stay.
  const wide = 'hidden sm:table-cell'
  const th = (children: ReactNode, extra = '') => (
    <th scope="col" className={`px-3 py-2 text-right font-medium whitespace-nowrap ${extra}`}>
      {children}
    </th>
  )
  return (
    <div className="-mx-3 overflow-x-auto">
      <table className="w-full text-sm" data-testid={testId}>
        <thead className="text-xs text-zinc-500">
          <tr>
            <th scope="col" className="px-3 py-2 text-left font-medium">
              {label}
            </th>
            {th('Calls')}
            {th('Input tokens', wide)}
            {th('Output tokens', wide)}
            {th('Cost')}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" className="w-full max-w-0 px-3 py-2 text-left font-normal">
                <div className="truncate font-medium text-zinc-900">{r.name}</div>
                {r.sub ? <div className="truncate text-xs text-zinc-500">{r.sub}</div> : null}
              </th>
              <td className={num}>{count.format(r.totals.calls)}</td>
              <td className={`${num} ${wide}`}>{count.format(r.totals.inputTokens)}</td>
              <td className={`${num} ${wide}`}>{count.format(r.totals.outputTokens)}</td>
              <td className={`${num} font-medium`}>{formatMicros(r.totals.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
