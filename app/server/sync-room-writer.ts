import type { RoomWriter } from '../../db/legacy-import'
import type { SyncServer } from '../../sync-server'

/**
 * Room writes as server changes of a sync server: the room is opened (or
 * joined, when clients have it open), the change is stored, then broadcast
 * to this node's clients and, with Redis, to the other nodes'.
 */
export function syncRoomWriter(server: Pick<SyncServer, 'openRoom'>): RoomWriter {
  return {
    async change(room, workspaceId, fn) {
      const hold = await server.openRoom(room, workspaceId)
      try {
        return await hold.room.applyServerChange(fn)
      } finally {
        hold.release()
      }
    },
  }
}
