import type { BillingDeps } from './deps'
import { createMeterReporter, type MeterReporter } from './meter-reporter'

const WORKER_KEY = Symbol.for('workspaces.billing-worker')
type WorkerHolder = { [WORKER_KEY]?: MeterReporter }

/**
 * The process's billing worker (overage to Stripe's meter, grace periods,
 * seats), started once whichever starts it first: the production entry at
 * start-up, or the API on its first request under `vite dev`. Keyed on
 * globalThis because the built server bundle and the entry are separate
 * module graphs in one process.
 */
export function startBillingWorker(billing: BillingDeps): MeterReporter {
  const holder = globalThis as WorkerHolder
  if (!holder[WORKER_KEY]) {
    const worker = createMeterReporter(billing, {
      logger: {
        warn: (msg, data) => console.warn(JSON.stringify({ level: 'warn', service: 'billing', msg, ...data })),
      },
    })
    worker.start()
    holder[WORKER_KEY] = worker
  }
  return holder[WORKER_KEY]
}
