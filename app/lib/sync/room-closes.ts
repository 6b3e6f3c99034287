/**
 * The sync server's final close codes a chat's view tells apart (the
 * server's list is sync-server/close-codes.ts, which browser code does not
 * import): y-websocket 3 does not reconnect after them.
 */

/** The chat's room reached its size limit: writes to it are refused; the rest of the workspace goes on. */
export const CHAT_FULL_CODE = 4413
/** Not allowed in the room: for a chat room, the chat was deleted or moved away. */
export const CHAT_GONE_CODE = 4403
