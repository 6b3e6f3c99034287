import type { IndexeddbPersistence } from 'y-indexeddb'

/**
 * The kept chat list (chat-list-cache) lives in the room's own IndexedDB
 * database, in the 'custom' store y-indexeddb keeps for such values: it is
 * deleted with the room's copy (removal from the workspace, sign-out), and
 * it does not fill localStorage, whose few megabytes the queue of waiting
 * answers needs.
 */
const KEPT_LIST = 'chat-list'
const UPDATES_STORE = 'updates'
const CUSTOM_STORE = 'custom'

/**
 * Reads the kept list before the room's copy is opened (opening it starts
 * decoding the room), with a connection of its own that is closed at once.
 * A database opened for the first time gets y-indexeddb's two stores, as
 * y-indexeddb would create them, since it opens without a version.
 */
export function readKeptList(databaseName: string): Promise<unknown> {
  return new Promise((resolve) => {
    const open = indexedDB.open(databaseName)
    open.onupgradeneeded = () => {
      open.result.createObjectStore(UPDATES_STORE, { autoIncrement: true })
      open.result.createObjectStore(CUSTOM_STORE)
    }
    open.onerror = () => resolve(undefined)
    open.onsuccess = () => {
      const db = open.result
      if (!db.objectStoreNames.contains(CUSTOM_STORE)) return (db.close(), resolve(undefined))
      const read = db.transaction(CUSTOM_STORE, 'readonly').objectStore(CUSTOM_STORE).get(KEPT_LIST)
      read.onsuccess = () => (db.close(), resolve(read.result))
      read.onerror = () => (db.close(), resolve(undefined))
    }
  })
}

/** Writes the kept list through the room's open copy. */
export function writeKeptList(local: IndexeddbPersistence) {
  return (stored: string) => local.set(KEPT_LIST, stored)
}
