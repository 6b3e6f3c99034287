import { RoomReplica, localName, type RoomClose } from './room-replica'

/** How many chat rooms stay open after they leave the screen, for a quick way back. */
export const RECENT_CHAT_ROOMS = 3

/** A chat room held open for a view; `release` when the view no longer shows it. */
export interface ChatRoomHandle {
  readonly room: RoomReplica
  release(): void
}

/**
 * The chat rooms open in a workspace (decision 021): the chats on screen,
 * each a room with its own IndexedDB copy and live connection, and the few
 * shown last (closed when more are opened). A room's close by the server
 * (e.g. 4413, the chat is full) concerns that chat only.
 */
export class ChatRooms {
  private readonly open = new Map<string, { room: RoomReplica; users: number }>()
  /** Released rooms still open, least recently shown first. */
  private recent: string[] = []
  private readonly listeners = new Set<() => void>()
  private online = typeof navigator === 'undefined' ? true : navigator.onLine

  constructor(
    private readonly userId: string,
    private readonly syncUrl: string,
    private readonly onChange: () => void,
    /** A chat room's final close; 4401 (signed out) ends the workspace like an index room's. */
    private readonly onClosed: (room: string, closed: RoomClose) => void,
  ) {}

  /** Opens (or reuses) the room `name` for as long as the handle is not released. */
  acquire(name: string): ChatRoomHandle {
    let entry = this.open.get(name)
    if (!entry || entry.room.isDestroyed) {
      const room = new RoomReplica(name, localName(this.userId, name), this.syncUrl, {
        keepsChatList: false,
        onChange: () => this.changed(),
        onClosed: (closed) => this.onClosed(name, closed),
      })
      entry = { room, users: 0 }
      this.open.set(name, entry)
    }
    entry.users++
    this.recent = this.recent.filter((n) => n !== name)
    const held = entry
    let released = false
    return {
      room: held.room,
      release: () => {
        if (released) return
        released = true
        held.users--
        if (held.users === 0) this.keepRecent(name)
      },
    }
  }

  /** The room `name` if it is open now (shown, or shown lately). */
  get(name: string): RoomReplica | null {
    const entry = this.open.get(name)
    return entry && !entry.room.isDestroyed ? entry.room : null
  }

  /** Every open room: the sync indicator and the network follow them. */
  rooms(): RoomReplica[] {
    return [...this.open.values()].map((e) => e.room)
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  setOnline(online: boolean) {
    this.online = online
    for (const { room } of this.open.values()) room.setOnline(online)
  }

  get isOnline() {
    return this.online
  }

  /** Closes the room `name` and drops its local copy (the chat left this device's lists). */
  async drop(name: string): Promise<void> {
    const entry = this.open.get(name)
    this.open.delete(name)
    this.recent = this.recent.filter((n) => n !== name)
    if (entry) await entry.room.clear()
  }

  destroy() {
    for (const { room } of this.open.values()) room.destroy()
    this.open.clear()
    this.recent = []
    this.listeners.clear()
  }

  /** Drops every local copy of the open rooms (the workspace was revoked). */
  async clear() {
    const rooms = this.rooms()
    this.open.clear()
    await Promise.all(rooms.map((r) => r.clear()))
  }

  private keepRecent(name: string) {
    this.recent.push(name)
    while (this.recent.length > RECENT_CHAT_ROOMS) {
      const oldest = this.recent.shift()
      if (!oldest) break
      const entry = this.open.get(oldest)
      if (entry && entry.users === 0) {
        this.open.delete(oldest)
        entry.room.destroy()
      }
    }
    this.changed()
  }

  private changed() {
    this.onChange()
    this.listeners.forEach((l) => l())
  }
}
