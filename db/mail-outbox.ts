import { desc } from 'drizzle-orm'
import type { Db } from './client'
import { mailOutbox } from './schema'

/** The most recent messages, for the development outbox page. */
export async function listDevOutbox(db: Db, limit = 50) {
  return db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt)).limit(limit)
}
