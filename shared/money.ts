/** Money is stored and summed as integer micro-units: 1,000,000 µ = 1 currency unit. */
export const MICROS_PER_UNIT = 1_000_000

/**
 * The currency money is shown in. Model prices in the catalog (shared/models.ts)
 * are the providers' list prices, which are quoted in US dollars.
 */
export const DISPLAY_CURRENCY = 'USD'

// A fixed locale, so the same amount reads the same on the server and in every browser.
const LOCALE = 'en-US'

const formatters = new Map<string, Intl.NumberFormat>()

function formatterFor(currency: string): Intl.NumberFormat {
  let f = formatters.get(currency)
  if (!f) {
    // Four decimals at most: model calls often cost fractions of a cent.
    f = new Intl.NumberFormat(LOCALE, {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    })
    formatters.set(currency, f)
  }
  return f
}

/**
 * `12300` -> `"$0.0123"`, `2000000` -> `"$2.00"`: micro-units as currency
 * with 2–4 decimals. A non-zero amount too small for four decimals reads
 * `"<$0.0001"` rather than a misleading `"$0.00"`.
 */
export function formatMicros(micros: number, currency: string = DISPLAY_CURRENCY): string {
  const f = formatterFor(currency)
  const smallest = MICROS_PER_UNIT / 10_000
  if (micros > 0 && micros < smallest) return `<${f.format(smallest / MICROS_PER_UNIT)}`
  return f.format(micros / MICROS_PER_UNIT)
}
