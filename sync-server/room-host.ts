import type { Db } from '../db/client'
import type { Logger } from './logger'
import type { Room } from './room'
import type { ServerLimits } from './room-limits'

export interface RoomHold {
  room: Room
  release(): void
}

/**
 * What the server's own work on rooms (chat activity, deletions, moves,
 * conversions) needs of the sync server: its rooms, opened and held as a
 * server-side peer, and its storage.
 */
export interface RoomHost {
  readonly db: Db
  readonly logger: Logger
  readonly limits: ServerLimits
  /** Opens (or finds) a room, loaded, and holds it open until `release`. */
  openRoom(name: string, workspaceId: string): Promise<RoomHold>
  /** Holds a room already open (in memory) until the returned function is called. */
  hold(room: Room): () => void
  /** The room if this node holds it in memory. */
  openedRoom(name: string): Room | undefined
  /**
   * Takes a room out of use on this node: its connections closed (4403), no
   * more writes taken, dropped from memory without compacting. Storage is
   * the caller's business.
   */
  dropRoom(name: string, reason: string): Promise<void>
  /** Background work the server waits for when asked whether it is idle. */
  track(work: Promise<unknown>): void
}
