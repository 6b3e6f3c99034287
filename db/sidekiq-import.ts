import type * as Y from 'yjs'
import { countSidekiqs, importSidekiq, newId, serverOrigin, sidekiqToRecord, type SidekiqRecord } from '../shared/doc'
import { AppError } from '../shared/errors'
import { planFor } from '../shared/plans'
import { parseSidekiqFile } from '../shared/schemas/workspace-export'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'

const IMPORT_ORIGIN = serverOrigin('sidekiq-import')

/**
 * Changes a workspace's shared room as the server: in the app, the sync
 * server's live room, so the change is stored and reaches every connected
 * member at once. `change` runs in the room's queue, after the edits before
 * it; what it throws is passed on, with nothing applied.
 */
export interface SharedRoomChanger {
  change<T>(workspaceId: string, change: (doc: Y.Doc) => T): Promise<T>
}

/**
 * Adds the sidekiq of a sidekiq file to a workspace (decision 020) as a new
 * one by the importer, like creating it: a new id, `createdBy` the importer,
 * created now, not a favourite, under a free name ("Writer (2)" when
 * "Writer" is taken, so a copy into its own workspace works). Needs
 * `content:write`, and room under the plan's sidekiq limit (LIMIT_REACHED
 * otherwise, judged in the room's queue so two imports cannot both slip
 * under it).
 */
export async function importSidekiqFile(
  db: Db,
  rooms: SharedRoomChanger,
  userId: string,
  workspaceId: string,
  input: unknown,
): Promise<SidekiqRecord> {
  const { sidekiq } = parseSidekiqFile(input)
  const access = await requireWorkspaceAccess(db, userId, workspaceId, 'content:write')
  const limit = planFor(access.plan).limits.sidekiqs
  const id = newId()
  const now = Date.now()
  return rooms.change(workspaceId, (doc) => {
    if (limit !== null && countSidekiqs(doc) >= limit) {
      throw new AppError('LIMIT_REACHED', `This workspace’s plan holds ${limit} sidekiqs`)
    }
    importSidekiq(
      doc,
      { ...sidekiq, id, createdBy: userId, favorite: false, createdAt: now, updatedAt: now },
      IMPORT_ORIGIN,
    )
    const record = sidekiqToRecord(doc, id)
    if (!record) throw new AppError('INTERNAL', 'The imported sidekiq could not be read back')
    return record
  })
}
