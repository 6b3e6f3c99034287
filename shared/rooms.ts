/**
 * Sync room names. Each workspace has one shared room (`w/<workspaceId>`)
 * and one private room per member (`w/<workspaceId>/u/<userId>`).
 */
export type RoomName =
  { kind: 'shared'; workspaceId: string } | { kind: 'private'; workspaceId: string; userId: string }

const ID = '[A-Za-z0-9_-]{1,128}'
const SHARED = new RegExp(`^w/(${ID})$`)
const PRIVATE = new RegExp(`^w/(${ID})/u/(${ID})$`)

export function sharedRoom(workspaceId: string): string {
  return `w/${workspaceId}`
}

export function privateRoom(workspaceId: string, userId: string): string {
  return `w/${workspaceId}/u/${userId}`
}

/** Parses a room name; null when it is malformed. */
export function parseRoomName(room: string): RoomName | null {
  const shared = SHARED.exec(room)
  if (shared) return { kind: 'shared', workspaceId: shared[1] }
  const priv = PRIVATE.exec(room)
  if (priv) return { kind: 'private', workspaceId: priv[1], userId: priv[2] }
  return null
}
