/**
 * `npm run bench [sync] [A B C] [usage] [ttft]`: prints benchmark figures.
 * Not a test: nothing here passes or fails. No arguments runs every bench;
 * `usage` runs the metering bench, `ttft` the time-to-first-token bench,
 * `sync` or workload letters the sync bench (only those workloads).
 */
import { runSyncBench } from './sync-bench'
import { runTtftBench } from './ttft-bench'
import { runUsageBench } from './usage-bench'

const args = process.argv.slice(2)
const workloads = args.filter((a) => !['sync', 'usage', 'ttft'].includes(a))
const all = args.length === 0

if (all || args.includes('sync') || workloads.length) await runSyncBench(workloads)
if (all || args.includes('usage')) await runUsageBench()
if (all || args.includes('ttft')) await runTtftBench()
process.exit(0)
