import type { IndexeddbPersistence } from 'y-indexeddb'

/**
 * Values kept beside an index room in the room's own IndexedDB database, in
 * the 'custom' store y-indexeddb keeps for such values: the sidebar's list
 * (chat-list-cache) and the list of chats whose rooms this device keeps
 * (kept-chats). They are deleted with the room's copy (removal from the
 * workspace, sign-out), and they do not fill localStorage, whose few
 * megabytes the queue of waiting answers needs.
 */
export const KEPT_CHAT_LIST = 'chat-list'
export const KEPT_CHAT_ROOMS = 'kept-chat-rooms'
/** Written by versions before decision 021: copies of recently opened chats with their messages, no longer read. */
export const OLD_KEPT_CHATS = 'recent-chats'
const UPDATES_STORE = 'updates'
const CUSTOM_STORE = 'custom'

/** What a room's database holds besides the room: each value as stored, unchecked. */
export interface KeptValues {
  readonly chatList: unknown
}

/**
 * Reads the kept list before the room's copy is opened (opening it starts
 * decoding the room), with a connection of its own that is closed at once.
 * A database opened for the first time gets y-indexeddb's two stores, as
 * y-indexeddb would create them, since it opens without a version.
 */
export function readKeptValues(databaseName: string): Promise<KeptValues> {
  const none: KeptValues = { chatList: undefined }
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
      chatList.onsuccess = () => (db.close(), resolve({ chatList: chatList.result }))
      chatList.onerror = () => (db.close(), resolve(none))
    }
  })
}

/**
 * Writes one kept value through the room's open copy. The write is issued
 * and committed in the caller's task when the database is open: a write
 * made as the page is left (pagehide) must not wait for a promise, since
 * a page frozen for the back-forward cache, or unloaded, runs no more tasks.
 */
export function writeKept(local: IndexeddbPersistence, key: typeof KEPT_CHAT_LIST | typeof KEPT_CHAT_ROOMS) {
  return (stored: string): Promise<unknown> => {
    const db = local.db
    if (!db) return local.set(key, stored)
    return new Promise((resolve, reject) => {
      const transaction = db.transaction([CUSTOM_STORE], 'readwrite')
      transaction.objectStore(CUSTOM_STORE).put(stored, key)
      transaction.oncomplete = () => resolve(undefined)
      transaction.onerror = () => reject(transaction.error ?? new Error('kept value not written'))
      transaction.onabort = () => reject(transaction.error ?? new Error('kept value not written'))
      transaction.commit()
    })
  }
}

/** Reads one kept value through the room's open copy; undefined when absent or unreadable. */
export async function readKept(local: IndexeddbPersistence, key: typeof KEPT_CHAT_ROOMS): Promise<unknown> {
  try {
    return (await local.get(key)) as unknown
  } catch {
    return undefined
  }
}
