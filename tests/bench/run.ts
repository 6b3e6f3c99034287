/**
 * `npm run bench [sync] [A B C] [usage]`: prints benchmark figures. Not a
 * test: nothing here passes or fails. No arguments runs every bench; `usage`
 * runs the metering bench, `sync` or workload letters the sync bench (only
 * those workloads).
 */
import { runSyncBench } from './sync-bench'
import { runUsageBench } from './usage-bench'

const args = process.argv.slice(2)
const workloads = args.filter((a) => a !== 'sync' && a !== 'usage')
const all = args.length === 0

if (all || args.includes('sync') || workloads.length) await runSyncBench(workloads)
if (all || args.includes('usage')) await runUsageBench()
process.exit(0)
