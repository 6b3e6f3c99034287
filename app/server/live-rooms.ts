import type { SharedRoomChanger } from '../../db/sidekiq-import'
import { sharedRoom } from '../../shared/rooms'
import type { SyncServer } from '../../sync-server'

/**
 * Server changes to a workspace's shared room through the sync server's
 * live room (opened as a server-side peer when no one has it open): stored
 * before broadcast like any edit, and seen at once by every member connected
 * to it, on every node. The caller has authorized the request.
 */
export function liveSharedRooms(sync: Pick<SyncServer, 'openRoom'>): SharedRoomChanger {
  return {
    async change(workspaceId, change) {
      const hold = await sync.openRoom(sharedRoom(workspaceId), workspaceId)
      try {
        return await hold.room.applyServerChange(change)
      } finally {
        hold.release()
      }
    },
  }
}
