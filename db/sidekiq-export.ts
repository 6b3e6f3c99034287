import { sidekiqToRecord } from '../shared/doc'
import { notFound } from '../shared/errors'
import { sharedRoom } from '../shared/rooms'
import {
  EXPORT_FILE_VERSION,
  SIDEKIQ_FILE_FORMAT,
  exportFileName,
  type SidekiqFile,
} from '../shared/schemas/workspace-export'
import { requireWorkspaceAccess } from './access'
import type { Db } from './client'
import { readRoomDoc } from './room-doc'

export interface SidekiqExport {
  file: SidekiqFile
  fileName: string
}

/** One sidekiq as a file (decision 020), for anyone who may read the workspace's content. */
export async function exportSidekiq(
  db: Db,
  userId: string,
  workspaceId: string,
  sidekiqId: string,
  now = new Date(),
): Promise<SidekiqExport> {
  await requireWorkspaceAccess(db, userId, workspaceId, 'content:read')
  const doc = await readRoomDoc(db, sharedRoom(workspaceId))
  try {
    const sidekiq = sidekiqToRecord(doc, sidekiqId)
    if (!sidekiq) throw notFound('Sidekiq')
    const file: SidekiqFile = {
      format: SIDEKIQ_FILE_FORMAT,
      version: EXPORT_FILE_VERSION,
      exportedAt: now.toISOString(),
      sidekiq,
    }
    return { file, fileName: exportFileName(sidekiq.name, 'sidekiq', now) }
  } finally {
    doc.destroy()
  }
}
