/**
 * A sync node that opens one index room and converts its old-layout chats,
 * in a process of its own so a test can kill it (`kill -9`) mid-way. Run
 * with `node --import tsx tests/sync/convert-process.ts <room> <workspaceId>`
 * and DATABASE_URL, BETTER_AUTH_SECRET, BETTER_AUTH_URL set. Prints one JSON
 * line per chat converted, then `{"done":true}`.
 */
import { getAuth } from '../../db/auth'
import { getDatabase } from '../../db/client'
import { getRevocationBus } from '../../db/revocations'
import { createSyncServer } from '../../sync-server/server'

const [room, workspaceId] = process.argv.slice(2)
const database = await getDatabase()
const print = (fields: Record<string, unknown>) => process.stdout.write(JSON.stringify(fields) + '\n')
const server = createSyncServer({
  db: database.db,
  logWriter: database.logWriter,
  auth: await getAuth(),
  revocations: getRevocationBus(),
  fanout: null,
  logger: {
    info: (msg, fields) => print({ msg, ...fields }),
    warn: (msg, fields) => print({ level: 'warn', msg, ...fields }),
    error: (msg, fields) => print({ level: 'error', msg, ...fields }),
  },
})
const hold = await server.openRoom(room, workspaceId)
await server.idle()
hold.release()
await server.close()
await database.close()
print({ done: true })
process.exit(0)
