import { formatMicros } from '../../shared/money'
import type { UsageTotals } from '../../shared/schemas/usage'

const DAY_MS = 24 * 60 * 60 * 1000

// Days are UTC calendar days, as the usage endpoint groups them.
const dayLabel = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' })

export interface ChartDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string
  calls: number
  costMicros: number
}

/**
 * Every UTC day in [from, to), with the figures of the days that had calls
 * and zeros for the rest, so the bars keep a steady time scale.
 */
export function fillDays(from: string, to: string, byDay: Array<UsageTotals & { day: string }>): ChartDay[] {
  const known = new Map(byDay.map((d) => [d.day, d]))
  const days: ChartDay[] = []
  const start = Date.parse(from.slice(0, 10))
  for (let t = start; t < Date.parse(to); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10)
    const hit = known.get(day)
    days.push({ day, calls: hit?.calls ?? 0, costMicros: hit?.costMicros ?? 0 })
  }
  return days
}

export function formatDay(day: string): string {
  return dayLabel.format(new Date(`${day}T00:00:00Z`))
}

// Drawing units: each day gets a slot of SLOT with the bar GAP narrower; the SVG
// stretches to its box, so a month and a year fill the same width.
const SLOT = 10
const GAP = 2
const HEIGHT = 100

/**
 * Daily cost as bars. The picture is one image to assistive technology (its
 * label sums it up); the same figures are in a visually hidden table.
 */
export function UsageChart({ days }: { days: ChartDay[] }) {
  const max = Math.max(0, ...days.map((d) => d.costMicros))
  const total = days.reduce((sum, d) => sum + d.costMicros, 0)
  const calls = days.reduce((sum, d) => sum + d.calls, 0)
  const active = days.filter((d) => d.calls > 0).length
  const peak = days.find((d) => d.costMicros === max && max > 0)
  const first = days[0]
  const last = days[days.length - 1]
  const range = first && last ? `${formatDay(first.day)} to ${formatDay(last.day)}` : 'no days'
  const summary =
    `Daily cost, ${range}: ${formatMicros(total)} over ${calls} ${calls === 1 ? 'call' : 'calls'}` +
    ` on ${active} of ${days.length} days` +
    (peak ? `; highest ${formatMicros(peak.costMicros)} on ${formatDay(peak.day)}.` : '.')
  const middle = days.length > 2 ? days[Math.floor(days.length / 2)] : undefined
  return (
    <figure>
      <div className="flex items-stretch gap-2">
        <div className="flex w-16 shrink-0 flex-col justify-between text-right text-xs text-zinc-500" aria-hidden>
          <span>{formatMicros(max)}</span>
          <span>{formatMicros(0)}</span>
        </div>
        <div
          role="img"
          aria-label={summary}
          data-testid="usage-chart"
          className="h-40 min-w-0 flex-1 border-b border-l border-zinc-200"
        >
          <svg
            className="block h-full w-full"
            viewBox={`0 0 ${Math.max(1, days.length) * SLOT} ${HEIGHT}`}
            preserveAspectRatio="none"
            aria-hidden
          >
            {days.map((d, i) => {
              // A day with calls stays visible however small beside the peak.
              const h = max > 0 && d.costMicros > 0 ? Math.max(1, (d.costMicros / max) * HEIGHT) : 0
              return (
                <rect
                  key={d.day}
                  data-testid="usage-bar"
                  data-day={d.day}
                  x={i * SLOT + GAP / 2}
                  y={HEIGHT - h}
                  width={SLOT - GAP}
                  height={h}
                  className="fill-indigo-500 hover:fill-indigo-700"
                >
                  <title>{`${formatDay(d.day)}: ${formatMicros(d.costMicros)}, ${d.calls} ${d.calls === 1 ? 'call' : 'calls'}`}</title>
                </rect>
              )
            })}
          </svg>
        </div>
      </div>
      <div className="mt-1 ml-18 flex justify-between text-xs text-zinc-500" aria-hidden>
        <span>{first ? formatDay(first.day) : ''}</span>
        {middle ? <span className="hidden sm:inline">{formatDay(middle.day)}</span> : null}
        <span>{last && last !== first ? formatDay(last.day) : ''}</span>
      </div>
      <table className="sr-only">
        <caption>Cost per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Calls</th>
            <th scope="col">Cost</th>
          </tr>
        </thead>
        <tbody>
          {days.map((d) => (
            <tr key={d.day}>
              <th scope="row">{formatDay(d.day)}</th>
              <td>{d.calls}</td>
              <td>{formatMicros(d.costMicros)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  )
}
