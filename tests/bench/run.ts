/** `npm run bench [A B C]`: prints benchmark figures. Not a test: nothing here passes or fails. */
import { runSyncBench } from './sync-bench'

await runSyncBench(process.argv.slice(2))
process.exit(0)
