/**
 * `npm run bench [sync] [A B C] [usage] [ttft] [client] [legacy] [scale]`: prints benchmark
 * figures. Not a test: nothing here passes or fails. No arguments runs every
 * bench; `usage` runs the metering bench, `ttft` the time-to-first-token
 * bench, `client` the browser figures (Chromium against the built app),
 * `sync` or workload letters the sync bench (only those workloads), `legacy`
 * the import from the team-based app, `scale` a workspace of 100,000 messages
 * in chat rooms of their own, grown to 250,000 (issue 16).
 */
import { runClientBench } from './client-bench'
import { runLegacyImportBench } from './legacy-import-bench'
import { runScaleBench } from './scale-bench'
import { runSyncBench } from './sync-bench'
import { runTtftBench } from './ttft-bench'
import { runUsageBench } from './usage-bench'

const args = process.argv.slice(2)
const workloads = args.filter((a) => !['sync', 'usage', 'ttft', 'client', 'legacy', 'scale'].includes(a))
const all = args.length === 0

if (all || args.includes('sync') || workloads.length) await runSyncBench(workloads)
if (all || args.includes('usage')) await runUsageBench()
if (all || args.includes('ttft')) await runTtftBench()
if (all || args.includes('client')) await runClientBench()
if (all || args.includes('legacy')) await runLegacyImportBench()
if (all || args.includes('scale')) await runScaleBench()
process.exit(0)
