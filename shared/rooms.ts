/**
 * Sync room names (decision 021). Each workspace has one shared room
 * (`w/<workspaceId>`: sidekiqs and the shared chats' index) and one private
 * room per member (`w/<workspaceId>/u/<userId>`: that member's private
 * chats' index). Each chat's messages live in a room of their own, named
 * after its index room: `w/<workspaceId>/c/<chatId>` for a shared chat,
 * `w/<workspaceId>/u/<userId>/c/<chatId>` for a private one. Access to a
 * chat room follows the index room it belongs to.
 */
export type RoomName =
  | { kind: 'shared'; workspaceId: string }
  | { kind: 'private'; workspaceId: string; userId: string }
  | { kind: 'shared-chat'; workspaceId: string; chatId: string }
  | { kind: 'private-chat'; workspaceId: string; userId: string; chatId: string }

/** A room that holds a chat index (and, for the shared one, the sidekiqs). */
export type IndexRoomName = Extract<RoomName, { kind: 'shared' | 'private' }>
/** A room that holds one chat's messages. */
export type ChatRoomName = Extract<RoomName, { kind: 'shared-chat' | 'private-chat' }>

const ID = '[A-Za-z0-9_-]{1,128}'
const SHARED = new RegExp(`^w/(${ID})$`)
const PRIVATE = new RegExp(`^w/(${ID})/u/(${ID})$`)
const SHARED_CHAT = new RegExp(`^w/(${ID})/c/(${ID})$`)
const PRIVATE_CHAT = new RegExp(`^w/(${ID})/u/(${ID})/c/(${ID})$`)

export function sharedRoom(workspaceId: string): string {
  return `w/${workspaceId}`
}

export function privateRoom(workspaceId: string, userId: string): string {
  return `w/${workspaceId}/u/${userId}`
}

export function sharedChatRoom(workspaceId: string, chatId: string): string {
  return `w/${workspaceId}/c/${chatId}`
}

export function privateChatRoom(workspaceId: string, userId: string, chatId: string): string {
  return `w/${workspaceId}/u/${userId}/c/${chatId}`
}

/** The room of a chat listed in the index room `indexRoom` (a name `sharedRoom` or `privateRoom` made). */
export function chatRoomOf(indexRoom: string, chatId: string): string {
  return `${indexRoom}/c/${chatId}`
}

/** Parses a room name; null when it is malformed. */
export function parseRoomName(room: string): RoomName | null {
  const shared = SHARED.exec(room)
  if (shared) return { kind: 'shared', workspaceId: shared[1] }
  const priv = PRIVATE.exec(room)
  if (priv) return { kind: 'private', workspaceId: priv[1], userId: priv[2] }
  const sharedChat = SHARED_CHAT.exec(room)
  if (sharedChat) return { kind: 'shared-chat', workspaceId: sharedChat[1], chatId: sharedChat[2] }
  const privateChat = PRIVATE_CHAT.exec(room)
  if (privateChat)
    return { kind: 'private-chat', workspaceId: privateChat[1], userId: privateChat[2], chatId: privateChat[3] }
  return null
}

export function isChatRoom(room: RoomName): room is ChatRoomName {
  return room.kind === 'shared-chat' || room.kind === 'private-chat'
}

/** The index room a room's chats are listed in: itself for an index room, its parent for a chat room. */
export function indexRoomOf(room: RoomName): IndexRoomName {
  switch (room.kind) {
    case 'shared':
    case 'private':
      return room
    case 'shared-chat':
      return { kind: 'shared', workspaceId: room.workspaceId }
    case 'private-chat':
      return { kind: 'private', workspaceId: room.workspaceId, userId: room.userId }
  }
}

/** The name of a parsed room. */
export function formatRoomName(room: RoomName): string {
  switch (room.kind) {
    case 'shared':
      return sharedRoom(room.workspaceId)
    case 'private':
      return privateRoom(room.workspaceId, room.userId)
    case 'shared-chat':
      return sharedChatRoom(room.workspaceId, room.chatId)
    case 'private-chat':
      return privateChatRoom(room.workspaceId, room.userId, room.chatId)
  }
}
