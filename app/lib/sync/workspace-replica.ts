import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { forgetOfflinePages } from '../offline/forget-offline-pages'
import { privateRoom, sharedRoom } from '../../../shared/rooms'

/** What the sync indicator shows: nothing reaches the server, catching up, or live. */
export type SyncStatus = 'offline' | 'syncing' | 'online'

/** Why the server ended this workspace for us: signed out (4401), or no longer a member (4403). */
export type Revocation = { code: number; reason: string }

/** Local copies are named per user and room, so two people on one browser never share one. */
const LOCAL_PREFIX = 'workspaces:'
export const localName = (userId: string, room: string) => `${LOCAL_PREFIX}${userId}:${room}`

/**
 * One room kept in IndexedDB and synced live: the local copy loads first
 * (the app works offline), then the websocket connects and exchanges what
 * each side lacks.
 */
class RoomReplica {
  readonly doc = new Y.Doc()
  readonly local: IndexeddbPersistence
  readonly remote: WebsocketProvider
  readonly loaded: Promise<void>
  private destroyed = false

  constructor(
    readonly name: string,
    localKey: string,
    syncUrl: string,
    onChange: () => void,
    onClosed: (closed: Revocation) => void,
  ) {
    this.local = new IndexeddbPersistence(localKey, this.doc)
    this.remote = new WebsocketProvider(syncUrl, name, this.doc, { connect: false, maxBackoffTime: 5000 })
    this.remote.on('status', onChange)
    this.remote.on('sync', onChange)
    // 4400-4499 are final (y-websocket stops reconnecting): the server refused this room.
    this.remote.on('closed', (event) => onClosed(event))
    this.loaded = this.local.whenSynced.then(() => {
      if (!this.destroyed) this.remote.connect()
    })
  }

  get connected() {
    return this.remote.wsconnected
  }

  get synced() {
    return this.remote.synced
  }

  destroy() {
    this.destroyed = true
    this.remote.destroy()
    void this.local.destroy()
    this.doc.destroy()
  }

  /** Drops the local copy (after the server refused us this room). */
  async clear() {
    this.destroyed = true
    this.remote.destroy()
    await this.local.clearData()
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
  private readonly listeners = new Set<() => void>()
  private revoked: Revocation | null = null
  private status: SyncStatus = 'syncing'

  constructor(
    readonly workspaceId: string,
    readonly userId: string,
    private readonly onRevoked: (revocation: Revocation) => void,
    syncUrl: string = defaultSyncUrl(),
  ) {
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
    window.addEventListener('online', this.recompute)
    window.addEventListener('offline', this.recompute)
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

  destroy() {
    window.removeEventListener('online', this.recompute)
    window.removeEventListener('offline', this.recompute)
    this.shared.destroy()
    this.private.destroy()
    this.listeners.clear()
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
    this.listeners.forEach((l) => l())
  }

  private async revoke(event: Revocation) {
    if (this.revoked) return
    this.revoked = event
    await Promise.all([this.shared.clear(), this.private.clear()])
    this.listeners.forEach((l) => l())
    this.onRevoked(event)
  }
}

function defaultSyncUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
}

/** Deletes every local copy this browser holds for a user (on sign-out). */
export async function clearLocalCopies(userId: string): Promise<void> {
  const prefix = localName(userId, '')
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
