import { can } from '../shared/capabilities'
import type { UsageQuery, UsageSummary } from '../shared/schemas/usage'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { getUsageSummary } from './usage-summary'

/**
 * A workspace's usage as the caller may see it: owners and admins (who hold
 * the purse) see everyone's, other members see their own calls among the
 * workspace-wide budget figures. Non-members get NOT_FOUND.
 */
export async function readUsageReport(
  db: Db,
  actorId: string,
  workspaceId: string,
  query: UsageQuery,
): Promise<UsageSummary & { scope: 'workspace' | 'mine' }> {
  const access = await requireWorkspaceAccess(db, actorId, workspaceId, 'content:read')
  const everyone = can(access.role, 'workspace:billing')
  const summary = await getUsageSummary(db, {
    workspaceId,
    from: query.from,
    to: query.to,
    // Those who see everyone may narrow to one member; the others see themselves only.
    ...(everyone ? (query.userId ? { userId: query.userId } : {}) : { userId: actorId }),
  })
  return { ...summary, scope: everyone ? 'workspace' : 'mine' }
}
