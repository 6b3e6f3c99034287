import { eq } from 'drizzle-orm'
import { planFor } from '../shared/plans'
import type { Db } from './client'
import { workspace } from './schema'

/**
 * May a workspace hold `total` sidekiqs under the plan in force now? Read at
 * the moment of adding, so a downgrade applies at once; what exists beyond
 * a shrunk limit stays (read-only for the excess: nothing new is added).
 */
export async function mayHoldSidekiqs(db: Db, workspaceId: string, total: number): Promise<boolean> {
  const [row] = await db.select({ plan: workspace.plan }).from(workspace).where(eq(workspace.id, workspaceId))
  const limit = planFor(row?.plan).limits.sidekiqs
  return limit === null || total <= limit
}
