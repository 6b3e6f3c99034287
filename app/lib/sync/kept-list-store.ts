import type { IndexeddbPersistence } from 'y-indexeddb'

/**
 * The kept copies (chat-list-cache) live in the room's own IndexedDB
 * database, in the 'custom' store y-indexeddb keeps for such values: they are
 * deleted with the room's copy (removal from the workspace, sign-out), and
 * they do not fill localStorage, whose few megabytes the queue of waiting
 * answers needs.
 */
export const KEPT_CHAT_LIST = 'chat-list'
export const KEPT_CHATS = 'recent-chats'
const UPDATES_STORE = 'updates'
const CUSTOM_STORE = 'custom'

/** What a room's database holds besides the room: each value as stored, unchecked. */
export interface KeptValues {
  readonly chatList: unknown
  readonly chats: unknown
}

/**
 * Reads the kept copies before the room's copy is opened (opening it starts
 * decoding the room), with a connection of its own that is closed at once.
 * A database opened for the first time gets y-indexeddb's two stores, as
 * y-indexeddb would create them, since it opens without a version.
 */
export function readKeptValues(databaseName: string): Promise<KeptValues> {
  const none: KeptValues = { chatList: undefined, chats: undefined }
  return new Promise((resolve) => {
    const open = indexedDB.open(databaseName)
    open.onupgradeneeded = () => {
      open.result.createObjectStore(UPDATES_STORE, { autoIncrement: true })
      open.result.createObjectStore(CUSTOM_STORE)
    }
    open.onerror = () => resolve(none)
    open.onsuccess = () => {
      const db = open.result
      if (!db.objectStoreNames.contains(CUSTOM_STORE)) return (db.close(), resolve(none))
      const store = db.transaction(CUSTOM_STORE, 'readonly').objectStore(CUSTOM_STORE)
      const chatList = store.get(KEPT_CHAT_LIST)
      const chats = store.get(KEPT_CHATS)
      chats.onsuccess = () => (db.close(), resolve({ chatList: chatList.result, chats: chats.result }))
      chats.onerror = chatList.onerror = () => (db.close(), resolve(none))
    }
  })
}

/** Writes one kept copy through the room's open copy. */
export function writeKept(local: IndexeddbPersistence, key: typeof KEPT_CHAT_LIST | typeof KEPT_CHATS) {
  return (stored: string) => local.set(key, stored)
}
