/** The sync server's public entry: the app mounts it through these only. */
export { getProcessSyncServer } from './node'
export { createSyncServer, SYNC_PATH, type SyncServer, type SyncServerOptions } from './server'
export { CloseCode } from './close-codes'
