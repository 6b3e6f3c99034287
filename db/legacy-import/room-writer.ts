import type * as Y from 'yjs'

/**
 * How the import writes rooms: through the sync server's own machinery, so
 * a node serving those rooms stays consistent and every change is stored
 * before it is broadcast. `change` runs `fn` on the room's document as one
 * server change and resolves once it is stored.
 */
export interface RoomWriter {
  change<T>(room: string, workspaceId: string, fn: (doc: Y.Doc) => T): Promise<T>
}
