/** The sync server's public entry: the app mounts it through these only. */
export { getProcessSyncServer } from './node'
export { createSyncServer, SYNC_PATH, type RoomHold, type SyncServer, type SyncServerOptions } from './server'
export type { Room } from './room'
export { CloseCode } from './close-codes'
