import { clearDocument, IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import {
  presenceColor,
  readPresence,
  getChat,
  type Chat,
  type ChatSummary,
  type PresenceState,
  type PresentPerson,
} from '../../../shared/doc'
import { forgetOfflinePages } from '../offline/forget-offline-pages'
import { privateRoom, sharedRoom } from '../../../shared/rooms'
import type { ApiError } from '../api'
import { keepChatList, keepOpenChat, parseChatList, parseKeptChats } from './chat-list-cache'
import { KEPT_CHAT_LIST, KEPT_CHATS, readKeptValues, writeKept } from './kept-list-store'
import { GenerationQueue, type QueuedGeneration } from './generation-queue'

/** What the sync indicator shows: nothing reaches the server, catching up, or live. */
export type SyncStatus = 'offline' | 'syncing' | 'online'

/** Why the server ended this workspace for us: signed out (4401), or no longer a member (4403). */
export type Revocation = { code: number; reason: string }

/** The signed-in person, as the others in the workspace see them. */
export interface Person {
  readonly id: string
  readonly name: string
}

/** A request for an answer the server refused (quota, role, deleted chat), for the person to see. */
export interface RefusedGeneration {
  readonly generation: QueuedGeneration
  readonly error: ApiError
}

/** What a device kept of a room beside it: the sidebar's list, and the recently opened chats. */
export interface KeptCopies {
  readonly chatList: ChatSummary[] | null
  readonly chats: readonly Chat[]
}

/** Local copies are named per user and room, so two people on one browser never share one. */
const LOCAL_PREFIX = 'workspaces:'
export const localName = (userId: string, room: string) => `${LOCAL_PREFIX}${userId}:${room}`

/**
 * One room kept in IndexedDB and synced live: the local copy loads first
 * (the app works offline), then the websocket connects and exchanges what
 * each side lacks.
 */
export class RoomReplica {
  readonly doc = new Y.Doc()
  readonly remote: WebsocketProvider
  readonly loaded: Promise<void>
  /** What this device kept of the room, shown until the room itself has loaded (see chat-list-cache). */
  readonly kept: Promise<KeptCopies>
  /** The recently opened chats as last kept; the open chat's keeper moves it first. */
  private readonly keptChats: { chats: Chat[] } = { chats: [] }
  private local: IndexeddbPersistence | null = null
  private destroyed = false
  private localLoaded = false
  private stopKeeping: (() => void) | null = null

  constructor(
    readonly name: string,
    private readonly localKey: string,
    syncUrl: string,
    onChange: () => void,
    onClosed: (closed: Revocation) => void,
  ) {
    this.kept = readKeptValues(localKey).then((stored) => {
      this.keptChats.chats = parseKeptChats(stored.chats)
      return { chatList: parseChatList(stored.chatList), chats: this.keptChats.chats }
    })
    // Earlier versions kept the list in localStorage, whose few megabytes the answer queue needs.
    localStorage.removeItem(`${localKey}:chat-list`)
    // No BroadcastChannel: on connect it re-encodes the whole doc for other tabs (seconds for a big
    // workspace, before the first render); tabs each hold their own socket and meet on the server.
    this.remote = new WebsocketProvider(syncUrl, name, this.doc, {
      connect: false,
      maxBackoffTime: 5000,
      disableBc: true,
    })
    // Yjs encodes every change for whoever listens to 'update', and loading the local copy is one
    // change holding the whole room (hundreds of milliseconds for a big workspace). The socket does
    // not need that one: it connects after the load and then exchanges what the server lacks.
    this.doc.off('update', this.remote._updateHandler)
    this.remote.on('status', onChange)
    this.remote.on('sync', onChange)
    // 4400-4499 are final (y-websocket stops reconnecting): the server refused this room.
    this.remote.on('closed', (event) => onClosed(event))
    // Decoding a big room holds the main thread; the kept list is painted first when there is one.
    this.loaded = this.kept
      .then((kept) => (kept.chatList || kept.chats.length ? afterNextPaint() : undefined))
      .then(() => this.loadLocalCopy())
  }

  private async loadLocalCopy(): Promise<void> {
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
    this.localLoaded = true
    if (this.destroyed) return
    this.stopKeeping = keepChatList(this.doc, writeKept(local, KEPT_CHAT_LIST))
    if (navigator.onLine) this.remote.connect()
  }

  /**
   * Keeps a chat that is open on screen among the room's recently opened
   * chats, with its messages, from the end of the load until the returned
   * function is called; a chat this room does not hold is left alone.
   */
  keepOpenChat(chatId: string): () => void {
    let stop: (() => void) | null = null
    let closed = false
    void this.loaded.then(() => {
      if (closed || this.destroyed || !this.local || !getChat(this.doc, chatId)) return
      stop = keepOpenChat(this.doc, chatId, this.keptChats, writeKept(this.local, KEPT_CHATS))
    })
    return () => {
      closed = true
      stop?.()
    }
  }

  /**
   * Follows the browser's network state: offline, the socket is closed at
   * once (a half-dead socket would swallow edits until it times out, and the
   * backoff would delay the reconnect); online, it connects straight away.
   */
  setOnline(online: boolean) {
    if (this.destroyed || !this.localLoaded) return
    if (online) this.remote.connect()
    else this.remote.disconnect()
  }

  /** The room's local copy is in the doc: what it reads is what this device holds. */
  get isLoaded() {
    return this.localLoaded
  }

  get connected() {
    return this.remote.wsconnected
  }

  get synced() {
    return this.remote.synced
  }

  destroy() {
    this.destroyed = true
    this.stopKeeping?.()
    this.remote.destroy()
    void this.local?.destroy()
    this.doc.destroy()
  }

  /** Drops the local copy (after the server refused us this room). */
  async clear() {
    this.destroyed = true
    this.stopKeeping?.()
    this.remote.destroy()
    if (this.local) await this.local.clearData()
    else await clearDocument(this.localKey)
    this.doc.destroy()
  }
}

/**
 * A workspace as this browser holds it: the shared room and the user's
 * private room, each kept locally and synced live. Opened when a workspace
 * is shown and destroyed when another is, so nothing of the old workspace
 * stays in memory. A 4401/4403 close means the server no longer lets us in:
 * both local copies are dropped and `onRevoked` is told.
 */
export class WorkspaceReplica {
  readonly shared: RoomReplica
  readonly private: RoomReplica
  /** Answers asked for and not yet taken by the server (asked offline, or while reconnecting). */
  readonly generations: GenerationQueue
  readonly userId: string
  private readonly listeners = new Set<() => void>()
  private readonly refusalListeners = new Set<(refused: RefusedGeneration) => void>()
  private revoked: Revocation | null = null
  private status: SyncStatus = 'syncing'
  private presence: PresentPerson[] = []
  private readonly presenceListeners = new Set<() => void>()

  constructor(
    readonly workspaceId: string,
    private readonly person: Person,
    private readonly onRevoked: (revocation: Revocation) => void,
    syncUrl: string = defaultSyncUrl(),
  ) {
    const userId = person.id
    this.userId = userId
    const changed = () => this.recompute()
    // Only "signed out" and "not allowed here" end the workspace; other final closes are errors to retry later.
    const closed = (event: Revocation) => {
      if (event.code === 4401 || event.code === 4403) void this.revoke(event)
    }
    this.shared = new RoomReplica(
      sharedRoom(workspaceId),
      localName(userId, sharedRoom(workspaceId)),
      syncUrl,
      changed,
      closed,
    )
    const mine = privateRoom(workspaceId, userId)
    this.private = new RoomReplica(mine, localName(userId, mine), syncUrl, changed, closed)
    this.generations = new GenerationQueue(workspaceId, userId, (generation, error) =>
      this.refusalListeners.forEach((l) => l({ generation, error })),
    )
    // Presence is the shared room's: the private room has no one else to tell.
    const awareness = this.shared.remote.awareness
    awareness.on('change', this.readPresence)
    this.setPresence({ chatId: null, typing: false })
    window.addEventListener('online', this.networkChanged)
    window.addEventListener('offline', this.networkChanged)
    this.recompute()
  }

  /** Both local copies loaded: what this browser last saw can be shown. */
  get loaded(): Promise<void> {
    return Promise.all([this.shared.loaded, this.private.loaded]).then(() => undefined)
  }

  getStatus = (): SyncStatus => this.status
  getRevocation = (): Revocation | null => this.revoked

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Tells the others where this person is and whether they type; merged with what was told before. */
  setPresence(state: Partial<Pick<PresenceState, 'chatId' | 'typing'>>) {
    const awareness = this.shared.remote.awareness
    const current = awareness.getLocalState() as Partial<PresenceState> | null
    const next: PresenceState = {
      user: { id: this.person.id, name: this.person.name, color: presenceColor(this.person.id) },
      chatId: state.chatId !== undefined ? state.chatId : (current?.chatId ?? null),
      typing: state.typing ?? current?.typing ?? false,
    }
    if (current && current.chatId === next.chatId && current.typing === next.typing) return
    awareness.setLocalState(next)
  }

  /** Everyone in the workspace right now, this person included; the same array until it changes. */
  getPresence = (): PresentPerson[] => this.presence

  subscribePresence = (listener: () => void): (() => void) => {
    this.presenceListeners.add(listener)
    return () => this.presenceListeners.delete(listener)
  }

  /** Keeps an open chat's messages on the device, in whichever room holds it, until the returned function is called. */
  keepOpenChat(chatId: string): () => void {
    const stops = [this.shared.keepOpenChat(chatId), this.private.keepOpenChat(chatId)]
    return () => stops.forEach((stop) => stop())
  }

  /** Called when the server refuses a request for an answer that was waiting in the queue. */
  onGenerationRefused(listener: (refused: RefusedGeneration) => void): () => void {
    this.refusalListeners.add(listener)
    return () => this.refusalListeners.delete(listener)
  }

  destroy() {
    window.removeEventListener('online', this.networkChanged)
    window.removeEventListener('offline', this.networkChanged)
    this.shared.remote.awareness.off('change', this.readPresence)
    this.generations.destroy()
    this.shared.destroy()
    this.private.destroy()
    this.listeners.clear()
    this.presenceListeners.clear()
    this.refusalListeners.clear()
  }

  private readPresence = () => {
    this.presence = readPresence(this.shared.remote.awareness.getStates())
    this.presenceListeners.forEach((l) => l())
  }

  private networkChanged = () => {
    this.shared.setOnline(navigator.onLine)
    this.private.setOnline(navigator.onLine)
    this.recompute()
  }

  private recompute = () => {
    const rooms = [this.shared, this.private]
    const next: SyncStatus =
      !navigator.onLine || !rooms.some((r) => r.connected)
        ? 'offline'
        : rooms.every((r) => r.connected && r.synced)
          ? 'online'
          : 'syncing'
    if (next === this.status) return
    this.status = next
    // Back in touch with the server: what was asked meanwhile goes out now.
    if (next === 'online') void this.generations.flush()
    this.listeners.forEach((l) => l())
  }

  private async revoke(event: Revocation) {
    if (this.revoked) return
    this.revoked = event
    this.generations.destroy()
    // Whatever else the device kept of this workspace (queued requests, member names) goes too.
    const prefix = localName(this.userId, '')
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(prefix) && key.includes(this.workspaceId)) localStorage.removeItem(key)
    }
    await Promise.all([this.shared.clear(), this.private.clear()])
    this.listeners.forEach((l) => l())
    this.onRevoked(event)
  }
}

/** Resolves after the browser has painted what is rendered now (or soon, in a hidden tab, which paints nothing). */
function afterNextPaint(): Promise<void> {
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

function defaultSyncUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
}

/** Deletes every local copy this browser holds for a user (on sign-out). */
export async function clearLocalCopies(userId: string): Promise<void> {
  const prefix = localName(userId, '')
  // Waiting requests for answers are the person's too (see generation-queue).
  for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) localStorage.removeItem(key)
  await forgetOfflinePages().catch(() => undefined)
  const databases = (await indexedDB.databases?.()) ?? []
  await Promise.all(
    databases
      .map((d) => d.name)
      .filter((name): name is string => !!name?.startsWith(prefix))
      .map(
        (name) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(name)
            request.onsuccess = request.onerror = request.onblocked = () => resolve()
          }),
      ),
  )
}
