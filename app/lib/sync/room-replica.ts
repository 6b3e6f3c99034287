import { clearDocument, IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import type { ChatSummary } from '../../../shared/doc'
import { keepChatList, parseChatList, type KeptChatList } from './chat-list-cache'
import { KEPT_CHAT_LIST, readKeptValues, writeKept } from './kept-list-store'

/** A final close of a room's connection: its code and the server's reason. */
export type RoomClose = { code: number; reason: string }

/** Local copies are named per user and room, so two people on one browser never share one. */
const LOCAL_PREFIX = 'workspaces:'
export const localName = (userId: string, room: string) => `${LOCAL_PREFIX}${userId}:${room}`

export interface RoomReplicaOptions {
  /**
   * An index room keeps the sidebar's list beside it (chat-list-cache) and
   * paints it before decoding the room; a chat room keeps nothing beside it.
   */
  readonly keepsChatList: boolean
  /** Called on every status or sync change. */
  readonly onChange: () => void
  /** Called when the server closes the room for good (4400-4499: y-websocket stops reconnecting). */
  readonly onClosed: (closed: RoomClose) => void
  /** Runs once the local copy has loaded, before the first connection (the device's own conversions). */
  readonly beforeConnect?: () => Promise<void>
  /**
   * Resolves when the local copy may be decoded: an index room waits for the
   * chat on screen, whose room is small, so decoding the index (the main
   * thread's longest task at start) does not hold the chat back.
   */
  readonly loadAfter?: Promise<void>
}

/**
 * One room kept in IndexedDB and synced live: the local copy loads first
 * (the app works offline), then the websocket connects and exchanges what
 * each side lacks.
 */
export class RoomReplica {
  readonly doc = new Y.Doc()
  readonly remote: WebsocketProvider
  /** The local copy is in the doc and the first connection started (or will, once online). */
  readonly loaded: Promise<void>
  /** The local copy is in the doc; resolves before `beforeConnect` runs, which may wait for it. */
  readonly localLoaded: Promise<void>
  private resolveLocal: () => void = () => {}
  /** The sidebar's list as this device last kept it (index rooms), shown until the room has loaded. */
  readonly keptChatList: Promise<ChatSummary[] | null>
  /** The final close the server sent, if any (e.g. 4413: the room is full). */
  closedWith: RoomClose | null = null
  private local: IndexeddbPersistence | null = null
  private destroyed = false
  private localIsLoaded = false
  private stopKeeping: (() => void) | null = null

  constructor(
    readonly name: string,
    readonly localKey: string,
    syncUrl: string,
    private readonly options: RoomReplicaOptions,
  ) {
    const keptList: Promise<KeptChatList | null> = options.keepsChatList
      ? readKeptValues(localKey).then((stored) => parseChatList(stored.chatList))
      : Promise.resolve(null)
    this.keptChatList = keptList.then((kept) => kept?.chats ?? null)
    // No BroadcastChannel: on connect it re-encodes the whole doc for other tabs; tabs each hold
    // their own socket and meet on the server.
    this.remote = new WebsocketProvider(syncUrl, name, this.doc, {
      connect: false,
      maxBackoffTime: 5000,
      disableBc: true,
    })
    // Yjs encodes every change for whoever listens to 'update', and loading the local copy is one
    // change holding the whole room. The socket does not need that one: it connects after the
    // load and then exchanges what the server lacks.
    this.doc.off('update', this.remote._updateHandler)
    this.remote.on('status', options.onChange)
    this.remote.on('sync', options.onChange)
    this.remote.on('closed', (event) => {
      this.closedWith = { code: event.code, reason: event.reason }
      options.onClosed(this.closedWith)
      options.onChange()
    })
    this.localLoaded = new Promise((resolve) => (this.resolveLocal = resolve))
    // Decoding a room holds the main thread; the kept list is painted first when there is one.
    this.loaded = this.loadWhenAllowed(keptList)
  }

  /** Loads the local copy once the kept list is painted (when there is one) and `loadAfter` allows. */
  private async loadWhenAllowed(keptList: Promise<KeptChatList | null>): Promise<void> {
    const kept = await keptList
    if (kept) await afterNextPaint()
    await this.options.loadAfter
    await this.loadLocalCopy(kept)
  }

  private async loadLocalCopy(keptList: KeptChatList | null): Promise<void> {
    if (this.destroyed) return
    const local = new IndexeddbPersistence(this.localKey, this.doc)
    this.local = local
    // As for the socket: the local copy already holds what it loads, and it stores the doc's
    // whole state before loading, so listening from the end of the load on misses nothing.
    this.doc.off('update', local._storeUpdate)
    local.once('synced', () => {
      if (this.destroyed) return
      this.doc.on('update', local._storeUpdate)
      this.doc.on('update', this.remote._updateHandler)
    })
    await local.whenSynced
    this.localIsLoaded = true
    this.resolveLocal()
    if (this.destroyed) return
    if (this.options.keepsChatList)
      this.stopKeeping = keepChatList(this.doc, writeKept(local, KEPT_CHAT_LIST), keptList)
    await this.options.beforeConnect?.().catch(() => undefined)
    if (this.destroyed) return
    if (navigator.onLine) this.remote.connect()
    this.options.onChange()
  }

  /** The room's IndexedDB copy, once loaded (for values kept beside the room). */
  get localCopy(): IndexeddbPersistence | null {
    return this.localIsLoaded ? this.local : null
  }

  /**
   * Follows the browser's network state: offline, the socket is closed at
   * once (a half-dead socket would swallow edits until it times out, and the
   * backoff would delay the reconnect); online, it connects straight away,
   * unless the server closed the room for good.
   */
  setOnline(online: boolean) {
    if (this.destroyed || !this.localIsLoaded || this.closedWith) return
    if (online) this.remote.connect()
    else this.remote.disconnect()
  }

  /** The room's local copy is in the doc: what it reads is what this device holds. */
  get isLoaded() {
    return this.localIsLoaded
  }

  get connected() {
    return this.remote.wsconnected
  }

  get synced() {
    return this.remote.synced
  }

  get isDestroyed() {
    return this.destroyed
  }

  destroy() {
    if (this.destroyed) return
    this.destroyed = true
    this.stopKeeping?.()
    this.remote.destroy()
    void this.local?.destroy()
    this.doc.destroy()
  }

  /** Drops the local copy (after the server refused us this room, or the chat left its index). */
  async clear() {
    const wasDestroyed = this.destroyed
    this.destroyed = true
    this.stopKeeping?.()
    this.remote.destroy()
    if (this.local && !wasDestroyed) await this.local.clearData()
    else await clearDocument(this.localKey)
    this.doc.destroy()
  }
}

/** Resolves after the browser has painted what is rendered now (or soon, in a hidden tab, which paints nothing). */
export function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100)
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback)
        resolve()
      }, 0),
    )
  })
}
