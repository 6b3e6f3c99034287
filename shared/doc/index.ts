/**
 * The typed Yjs document model of a room: the only code that knows the docs'
 * keys. App, sync server and tests read and write rooms through these
 * functions, never through `doc.getMap(...)`.
 */
export {
  type DocOrigin,
  type LocalOrigin,
  type MigrationOrigin,
  type ServerOrigin,
  LOCAL_ORIGIN,
  MIGRATION_ORIGIN,
  serverOrigin,
  isDocOrigin,
  isServerOrigin,
} from './origin'
export {
  type Migration,
  type MigrationReport,
  CURRENT_SCHEMA_VERSION,
  getSchemaVersion,
  migrateDoc,
} from './schema-version'
export { newId } from './ids'
export type { InvalidValue, ReadOptions } from './read'
export {
  type AppendMessageInput,
  type ClosedMessage,
  type CloseStaleMessagesInput,
  type Message,
  type MessageRole,
  type MessageStatus,
  type SetMessageStatusInput,
  type Timing,
  type Usage,
  MAX_CONTENT_LENGTH,
  MESSAGE_ROLES,
  MESSAGE_STATUSES,
  appendMessageInput,
  setMessageStatusInput,
  closeStaleMessagesInput,
  appendMessage,
  appendToContent,
  editMessageContent,
  setMessageStatus,
  closeStaleMessages,
  messageSchema,
} from './messages'
export {
  type Chat,
  type ChatSummary,
  type CreateChatInput,
  createChatInput,
  chatSummarySchema,
  chatSchema,
  listChats,
  getChat,
  getChatSummary,
  getChatMessages,
  createChat,
  renameChat,
  nameUntitledChat,
  setChatModel,
  setChatSidekiq,
  setPinned,
  setArchived,
  deleteChat,
  moveChat,
} from './chats'
export {
  type ChatActivity,
  CHAT_INDEX_KEY,
  CHAT_EDITS_KEY,
  PREVIEW_LENGTH,
  chatActivity,
  recordChatActivity,
  previewOf,
} from './chat-index'
export { type ChatIndexChange, observeChatIndexChanges } from './chat-index-changes'
export { chatRoomId, isChatRoomOf, openChatRoom } from './chat-room'
export {
  type CreateSidekiqInput,
  type Sidekiq,
  type SidekiqAvatar,
  type UpdateSidekiqInput,
  MAX_CONVERSATION_STARTERS,
  MAX_SIDEKIQ_NAME_LENGTH,
  sidekiqNameInput,
  sidekiqAvatarInput,
  duplicateSidekiqInput,
  duplicateSidekiq,
  freeSidekiqName,
  chatSidekiqLabel,
  createSidekiqInput,
  updateSidekiqInput,
  listSidekiqs,
  getSidekiq,
  getSidekiqInstructionsText,
  createSidekiq,
  updateSidekiq,
  setSidekiqInstructions,
  deleteSidekiq,
  countSidekiqs,
  sidekiqsAddedBy,
  removeSidekiqs,
} from './sidekiqs'
export {
  type ChatRecord,
  type MessageRecord,
  type ImportedChat,
  type SidekiqRecord,
  chatRecord,
  messageRecord,
  sidekiqRecord,
  chatToRecord,
  sidekiqToRecord,
  chatRecords,
  sidekiqRecords,
  assertChatImportable,
  importChat,
  importChatEntry,
  importChatMessages,
  importSidekiq,
  parseChatRecord,
} from './records'
export { observeSidekiqChanges, restoreSidekiq } from './sidekiq-changes'
export { applyStoredUpdates, docFromUpdates } from './stored-updates'
export { type RoomStates, roomStatesFromRecords } from './room-records'
export { type PresenceState, type PresentPerson, presenceState, presenceColor, readPresence } from './presence'
export { type ClientState, clientState, currentClientState, hasClientState, whenClientState } from './client-state'
export { legacyChatIds, copyLegacyChatToRoom, finishLegacyChat } from './split-chats'
