import { PGlite } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js'
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator'
import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import * as schema from './schema'
import { serverEnv } from './env'

export type Schema = typeof schema
/**
 * Both drivers, and transactions on either, share this query builder; domain
 * code takes it so a function can run inside or outside a transaction.
 */
export type Db = PgDatabase<PgQueryResultHKT, Schema>

export interface Database {
  db: Db
  /**
   * The sync log's writer: its own single connection on PostgreSQL, so
   * appends (on the path of every live edit) never queue behind other
   * queries and always reach a warm backend. The same handle on PGlite.
   */
  logWriter: Db
  driver: 'postgres' | 'pglite'
  migrate(): Promise<void>
  close(): Promise<void>
}

/**
 * Resolved from the working directory (the package root under npm scripts),
 * not from this file: this module is also bundled into dist/server.
 */
export const MIGRATIONS_DIR = process.env.MIGRATIONS_DIR ?? path.resolve('db/migrations')

/**
 * Opens a database: PostgreSQL for a postgres:// URL, otherwise embedded
 * PGlite in `dataDir` (or in memory for 'memory://').
 */
export function createDatabase(
  url: string | undefined,
  dataDir = './.data',
  migrationsFolder = MIGRATIONS_DIR,
): Database {
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const client = postgres(url, { max: 10, onnotice: () => {} })
    const writer = postgres(url, { max: 1, onnotice: () => {} })
    const db = drizzlePg({ client, schema }) as unknown as Db
    return {
      db,
      logWriter: drizzlePg({ client: writer, schema }) as unknown as Db,
      driver: 'postgres',
      migrate: async () => {
        await migratePg(db as never, { migrationsFolder })
      },
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), writer.end({ timeout: 5 })])
      },
    }
  }
  let client: PGlite
  if (url === 'memory://') client = new PGlite()
  else {
    const dir = path.join(dataDir, 'pglite')
    mkdirSync(dir, { recursive: true })
    client = new PGlite(dir)
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db
  return {
    db,
    logWriter: db,
    driver: 'pglite',
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder })
    },
    close: () => client.close(),
  }
}

const DB_KEY = Symbol.for('workspaces.database')
type DbHolder = { [DB_KEY]?: Promise<Database> }

/**
 * The process-wide database, migrated before first use. Kept on globalThis
 * because the app bundle and the Node entry both import this module, and two
 * PGlite instances on one directory would corrupt it.
 */
export function getDatabase(): Promise<Database> {
  const holder = globalThis as DbHolder
  holder[DB_KEY] ??= (async () => {
    const env = serverEnv()
    const database = createDatabase(env.DATABASE_URL, env.DATA_DIR)
    await database.migrate()
    return database
  })()
  return holder[DB_KEY]
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db
}
