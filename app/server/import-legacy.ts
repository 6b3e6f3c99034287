/**
 * `npm run import:legacy -- --from <postgres-url> [--dry-run]`: moves the
 * team-based app's data into workspaces (decision 018). The target is this
 * app's database, from the environment like every entry (DATABASE_URL, or
 * embedded PGlite in DATA_DIR: stop the app first, one process owns it).
 * Rooms are written through a sync server of this process, with Redis
 * fan-out when REDIS_URL is set, so running nodes see the chats arrive.
 */
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { AppError } from '../../shared/errors'
import { parseInput } from '../../shared/validation'
import { getDatabase } from '../../db/client'
import { EnvError, serverEnv } from '../../db/env'
import { formatReport, importLegacy, openLegacySource } from '../../db/legacy-import'
import { getProcessSyncServer } from '../../sync-server'
import { syncRoomWriter } from './sync-room-writer'

const USAGE = 'Usage: npm run import:legacy -- --from <postgres://user@host:port/legacy-db> [--dry-run]'

const argsSchema = z.strictObject({
  from: z
    .string({ error: 'required: the legacy database, e.g. --from postgres://user@host:5432/legacy' })
    .regex(/^postgres(ql)?:\/\/.+/, 'must be a postgres:// or postgresql:// URL'),
  'dry-run': z.boolean().default(false),
})

function readArgs(argv: string[]) {
  let values: Record<string, unknown>
  try {
    values = parseArgs({
      args: argv,
      options: { from: { type: 'string' }, 'dry-run': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    throw new AppError('BAD_REQUEST', `${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
  }
  try {
    return parseInput(argsSchema, values)
  } catch (error) {
    if (error instanceof AppError) throw new AppError('BAD_REQUEST', 'Invalid arguments', error.fields)
    throw error
  }
}

async function main() {
  const args = readArgs(process.argv.slice(2))
  serverEnv()
  const source = await openLegacySource(args.from)
  const database = await getDatabase()
  const log = (line: string) => console.log(line)
  try {
    if (args['dry-run']) {
      console.log(formatReport(await importLegacy({ db: database.db, source, dryRun: true, log })))
      return
    }
    const sync = await getProcessSyncServer()
    try {
      const report = await importLegacy({ db: database.db, source, rooms: syncRoomWriter(sync), log })
      console.log(formatReport(report))
    } finally {
      // Flushes and compacts the rooms written while the database is still open.
      await sync.close()
    }
  } finally {
    await source.close()
    await database.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof EnvError) console.error(error.message)
    else if (error instanceof AppError) {
      const fields = Object.entries(error.fields ?? {}).map(([k, v]) => `\n  --${k}: ${v}`)
      console.error(`import:legacy: ${error.message}${fields.join('')}`)
      if (error.code === 'BAD_REQUEST' && error.fields) console.error(USAGE)
    } else console.error('import:legacy failed:', error)
    process.exit(1)
  },
)
