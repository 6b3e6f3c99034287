import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import { createDatabase, type Database } from '../../db/client'

/**
 * A fresh, migrated database for one test file: a new PostgreSQL database
 * when DATABASE_URL is set (dropped afterwards), else in-memory PGlite.
 */
export async function createTestDatabase(): Promise<Database & { url?: string }> {
  const base = process.env.DATABASE_URL
  if (!base) {
    const database = createDatabase('memory://')
    await database.migrate()
    return database
  }
  const name = `t_${randomBytes(6).toString('hex')}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(base)
  url.pathname = `/${name}`
  const database = createDatabase(url.toString())
  await database.migrate()
  return {
    ...database,
    url: url.toString(),
    close: async () => {
      await database.close()
      const admin2 = postgres(base, { max: 1, onnotice: () => {} })
      await admin2.unsafe(`drop database if exists ${name} with (force)`)
      await admin2.end()
    },
  }
}
