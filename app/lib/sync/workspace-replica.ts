import { clearDocument } from 'y-indexeddb'
import {
  deleteChat,
  getChatMessages,
  getChatSummary,
  LOCAL_ORIGIN,
  presenceColor,
  readPresence,
  type ChatSummary,
  type PresenceState,
  type PresentPerson,
} from '../../../shared/doc'
import { chatRoomOf, privateRoom, sharedRoom } from '../../../shared/rooms'
import { forgetOfflinePages } from '../offline/forget-offline-pages'
import type { ApiError } from '../api'
import { ChatRooms } from './chat-rooms'
import { convertLocalCopy } from './convert-local-copy'
import { CHAT_FULL_CODE } from './room-closes'
import { GenerationQueue, type QueuedGeneration } from './generation-queue'
import { KeptChatKeeper } from './kept-chat-keeper'
import { afterNextPaint, localName, RoomReplica, type RoomClose } from './room-replica'

export { localName, RoomReplica } from './room-replica'

/** What the sync indicator shows: nothing reaches the server, catching up, or live. */
export type SyncStatus = 'offline' | 'syncing' | 'online'

/** Why the server ended this workspace for us: signed out (4401), or no longer a member (4403). */
export type Revocation = RoomClose

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

/** With no chat on screen, how long after the indexes load the chats kept for offline use are fetched. */
const KEEP_WITHOUT_CHAT_MS = 3000

/**
 * The longest the index rooms wait, at start, for the chat on screen to
 * show first (its room fetched from the server when the device has no copy).
 */
const CHAT_FIRST_WAIT_MS = 1500

/** Which index room lists a chat: the workspace's shared room, or the person's private room. */
export type IndexKind = 'shared' | 'private'

/** The chat a page shows as its workspace opens, and where the server saw it (server-rendered pages). */
export interface ChatOnScreen {
  readonly chatId: string
  readonly located: Pick<ChatLocation, 'index' | 'summary'> | null
}

/** What a workspace opens with, besides who is signed in. */
export interface WorkspaceReplicaOptions {
  /** The chat the page shows as the workspace opens: its room loads before the index rooms decode. */
  readonly chatOnScreen?: ChatOnScreen
  readonly syncUrl?: string
}

/** Where a chat is: its index room and the name of its own room. */
export interface ChatLocation {
  readonly index: IndexKind
  readonly summary: ChatSummary
  readonly roomName: string
}

/**
 * A workspace as this browser holds it (decision 021): the shared room and
 * the user's private room (the chat indexes, and the sidekiqs), each kept
 * locally and synced live; the rooms of the chats on screen, opened and
 * closed with them; and in the background, the chats kept for offline use.
 * Opened when a workspace is shown and destroyed when another is, so nothing
 * of the old workspace stays in memory. A 4401/4403 close of an index room
 * means the server no longer lets us in: every local copy is dropped and
 * `onRevoked` is told.
 */
export class WorkspaceReplica {
  readonly shared: RoomReplica
  readonly private: RoomReplica
  readonly chatRooms: ChatRooms
  /** Answers asked for and not yet taken by the server (asked offline, or while reconnecting). */
  readonly generations: GenerationQueue
  readonly userId: string
  private readonly keepers: Record<IndexKind, KeptChatKeeper>
  private readonly listeners = new Set<() => void>()
  private readonly refusalListeners = new Set<(refused: RefusedGeneration) => void>()
  private revoked: Revocation | null = null
  private keepTimer: ReturnType<typeof setTimeout> | null = null
  private destroyed = false
  private status: SyncStatus = 'syncing'
  private indexesSynced = false
  private presence: PresentPerson[] = []
  private readonly presenceListeners = new Set<() => void>()

  constructor(
    readonly workspaceId: string,
    private readonly person: Person,
    private readonly onRevoked: (revocation: Revocation) => void,
    options: WorkspaceReplicaOptions = {},
  ) {
    const syncUrl = options.syncUrl ?? defaultSyncUrl()
    const userId = person.id
    let chatShown = () => {}
    const chatFirst = new Promise<void>((resolve) => (chatShown = resolve))
    this.userId = userId
    const changed = () => this.recompute()
    // Only "signed out" and "not allowed here" end the workspace; other final closes are errors to retry later.
    const onClosed = (event: RoomClose) => {
      if (event.code === 4401 || event.code === 4403) void this.revoke(event)
    }
    // A chat room's 4403 concerns that chat (deleted, or moved); a 4401 is the session's end, as everywhere.
    this.chatRooms = new ChatRooms(userId, syncUrl, changed, (room, event) => {
      if (event.code === 4401) void this.revoke(event)
      // A full chat's waiting questions can never reach the server; the other chats' must not wait behind them.
      if (event.code === CHAT_FULL_CODE) this.generations.discardRoom(room)
    })
    const indexRoom = (kind: IndexKind, name: string): RoomReplica => {
      const room: RoomReplica = new RoomReplica(name, localName(userId, name), syncUrl, {
        keepsChatList: true,
        onChange: changed,
        onClosed,
        loadAfter: chatFirst,
        // A copy kept in the old layout is converted here before it reconnects (see convert-local-copy).
        beforeConnect: async () => {
          await convertLocalCopy(room, this.chatRooms, (chatId) => this.keepers[kind].unsent(chatId))
        },
      })
      return room
    }
    this.shared = indexRoom('shared', sharedRoom(workspaceId))
    this.private = indexRoom('private', privateRoom(workspaceId, userId))
    this.keepers = {
      shared: new KeptChatKeeper(this.shared, userId, syncUrl, this.chatRooms),
      private: new KeptChatKeeper(this.private, userId, syncUrl, this.chatRooms),
    }
    this.generations = new GenerationQueue(workspaceId, userId, (generation, error) =>
      this.refusalListeners.forEach((l) => l({ generation, error })),
    )
    // "Who is in the workspace" is the shared room's awareness; who is in a chat is its room's.
    this.shared.remote.awareness.on('change', this.readPresence)
    this.setPresence({ chatId: null, typing: false })
    window.addEventListener('online', this.networkChanged)
    window.addEventListener('offline', this.networkChanged)
    // With no chat on screen, keeping starts a moment after the indexes load; a chat shown starts it when loaded.
    void this.loaded.then(() => {
      this.keepTimer = setTimeout(() => this.startKeeping(), KEEP_WITHOUT_CHAT_MS)
    })
    this.recompute()
    void this.showFirst(options.chatOnScreen).finally(chatShown)
  }

  /**
   * Opens the chat on screen at start from where the server saw it, or else
   * the device (the kept lists, read before the index rooms decode), and
   * resolves once it is painted, or once the server had a moment to send a
   * chat this device has no copy of. The room stays open among the recently
   * shown for the view.
   */
  private async showFirst(chat: ChatOnScreen | undefined): Promise<void> {
    if (!chat) return
    const { chatId } = chat
    const location = chat.located ?? (await this.keptLocation(chatId))
    if (!location || this.destroyed) return
    const handle = this.showChat(location.index, chatId)
    try {
      await Promise.race([shown(handle.room, chatId), new Promise((r) => setTimeout(r, CHAT_FIRST_WAIT_MS))])
    } finally {
      handle.release()
    }
  }

  /**
   * Where the chat was when this device last kept the index rooms' lists:
   * known before the rooms decode. The live indexes have the last word.
   */
  keptLocation(chatId: string): Promise<ChatLocation | null> {
    const find = async (kind: IndexKind): Promise<ChatLocation | null> => {
      const index = this.index(kind)
      const summary = (await index.keptChatList)?.find((c) => c.id === chatId)
      return summary ? { index: kind, summary, roomName: chatRoomOf(index.name, chatId) } : null
    }
    return Promise.all([find('shared'), find('private')]).then(([shared, own]) => shared ?? own)
  }

  /** Both index rooms' local copies loaded: what this browser last saw can be shown. */
  get loaded(): Promise<void> {
    return Promise.all([this.shared.loaded, this.private.loaded]).then(() => undefined)
  }

  getStatus = (): SyncStatus => this.status
  /** Both index rooms have synced with the server since the workspace opened: what they lack, the server lacks. */
  getIndexesSynced = (): boolean => this.indexesSynced
  getRevocation = (): Revocation | null => this.revoked

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The index room of that kind. */
  index(kind: IndexKind): RoomReplica {
    return kind === 'shared' ? this.shared : this.private
  }

  /** Where the chat is listed (the shared index first), or null when neither index lists it. */
  locate(chatId: string): ChatLocation | null {
    for (const kind of ['shared', 'private'] as const) {
      const index = this.index(kind)
      const summary = getChatSummary(index.doc, chatId)
      if (summary) return { index: kind, summary, roomName: chatRoomOf(index.name, chatId) }
    }
    return null
  }

  /**
   * Deletes a chat: its entry leaves the index (the server then deletes its
   * room) and this device drops its copy of the room. Throws as `deleteChat`.
   */
  deleteChat(kind: IndexKind, chatId: string): void {
    const index = this.index(kind)
    deleteChat(index.doc, chatId, LOCAL_ORIGIN)
    const name = chatRoomOf(index.name, chatId)
    void this.chatRooms.drop(name).then(() => clearDocument(localName(this.userId, name)).catch(() => undefined))
  }

  /** Whether this device keeps the chat's room (kept for offline use, or opened here before). */
  isKept(kind: IndexKind, chatId: string): Promise<boolean> {
    return this.keepers[kind].isKept(chatId)
  }

  /**
   * Opens a chat's room for the screen; the returned function closes it
   * (it stays open a little while among the recently shown). Showing a chat
   * records it as opened, so it is kept on the device for offline use.
   */
  showChat(kind: IndexKind, chatId: string): { room: RoomReplica; release: () => void } {
    const handle = this.chatRooms.acquire(chatRoomOf(this.index(kind).name, chatId))
    this.keepers[kind].opened(chatId)
    // The background fills the device's copies once the chat on screen has loaded, never before.
    void handle.room.loaded.then(() => this.startKeeping())
    return handle
  }

  /** Starts keeping chats for offline use in the background (after the chat on screen, or with none shown). */
  startKeeping() {
    if (this.revoked || this.destroyed) return
    this.keepers.shared.start()
    this.keepers.private.start()
  }

  /** Tells the others in the workspace that this person is here; merged with what was told before. */
  setPresence(state: Partial<Pick<PresenceState, 'chatId' | 'typing'>>) {
    setAwareness(this.shared, this.person, state)
  }

  /** Tells the others in a chat's room that this person has it open, and whether they type. */
  setChatPresence(room: RoomReplica, chatId: string, typing: boolean) {
    setAwareness(room, this.person, { chatId, typing })
  }

  /** Everyone in the workspace right now, this person included; the same array until it changes. */
  getPresence = (): PresentPerson[] => this.presence

  subscribePresence = (listener: () => void): (() => void) => {
    this.presenceListeners.add(listener)
    return () => this.presenceListeners.delete(listener)
  }

  /** Called when the server refuses a request for an answer that was waiting in the queue. */
  onGenerationRefused(listener: (refused: RefusedGeneration) => void): () => void {
    this.refusalListeners.add(listener)
    return () => this.refusalListeners.delete(listener)
  }

  destroy() {
    this.destroyed = true
    if (this.keepTimer) clearTimeout(this.keepTimer)
    window.removeEventListener('online', this.networkChanged)
    window.removeEventListener('offline', this.networkChanged)
    this.shared.remote.awareness.off('change', this.readPresence)
    this.generations.destroy()
    this.keepers.shared.destroy()
    this.keepers.private.destroy()
    this.chatRooms.destroy()
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
    this.chatRooms.setOnline(navigator.onLine)
    this.recompute()
  }

  private recompute = () => {
    // A chat room the server closed for good (a full chat) is that chat's state, not the workspace's.
    const chatRooms = this.chatRooms.rooms().filter((r) => r.isLoaded && !r.closedWith)
    const indexRooms = [this.shared, this.private]
    const rooms = [...indexRooms, ...chatRooms]
    const next: SyncStatus =
      !navigator.onLine || !indexRooms.some((r) => r.connected)
        ? 'offline'
        : rooms.every((r) => r.connected && r.synced)
          ? 'online'
          : 'syncing'
    const indexesSynced = this.indexesSynced || indexRooms.every((r) => r.synced)
    if (next === this.status && indexesSynced === this.indexesSynced) return
    // Back in touch with the server: what was asked meanwhile goes out now.
    if (next === 'online' && this.status !== 'online') void this.generations.flush()
    this.status = next
    this.indexesSynced = indexesSynced
    this.listeners.forEach((l) => l())
  }

  private async revoke(event: Revocation) {
    if (this.revoked) return
    this.revoked = event
    this.generations.destroy()
    this.keepers.shared.destroy()
    this.keepers.private.destroy()
    // Whatever else the device kept of this workspace (queued requests, member names, chat rooms) goes too.
    const prefix = localName(this.userId, '')
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(prefix) && key.includes(this.workspaceId)) localStorage.removeItem(key)
    }
    await Promise.all([this.shared.clear(), this.private.clear(), this.chatRooms.clear()])
    await deleteDatabases((name) => name.startsWith(localName(this.userId, `w/${this.workspaceId}/`)))
    this.listeners.forEach((l) => l())
    this.onRevoked(event)
  }
}

/** Resolves once the chat's messages are in its room and painted (after its first sync if the device had none). */
async function shown(room: RoomReplica, chatId: string): Promise<void> {
  await room.loaded
  if (getChatMessages(room.doc, chatId) === null && navigator.onLine && !room.synced) {
    await new Promise<void>((resolve) => {
      const synced = (isSynced: boolean) => {
        if (!isSynced) return
        room.remote.off('sync', synced)
        resolve()
      }
      room.remote.on('sync', synced)
    })
  }
  // Two frames: the view renders the messages from the change, then the browser paints them.
  await afterNextPaint()
  await afterNextPaint()
}

function setAwareness(room: RoomReplica, person: Person, state: Partial<Pick<PresenceState, 'chatId' | 'typing'>>) {
  const awareness = room.remote.awareness
  const current = awareness.getLocalState() as Partial<PresenceState> | null
  const next: PresenceState = {
    user: { id: person.id, name: person.name, color: presenceColor(person.id) },
    chatId: state.chatId !== undefined ? state.chatId : (current?.chatId ?? null),
    typing: state.typing ?? current?.typing ?? false,
  }
  if (current && current.chatId === next.chatId && current.typing === next.typing) return
  awareness.setLocalState(next)
}

function defaultSyncUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
}

async function deleteDatabases(matches: (name: string) => boolean): Promise<void> {
  const databases = (await indexedDB.databases?.()) ?? []
  await Promise.all(
    databases
      .map((d) => d.name)
      .filter((name): name is string => !!name && matches(name))
      .map(
        (name) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(name)
            request.onsuccess = request.onerror = request.onblocked = () => resolve()
          }),
      ),
  )
}

/** Deletes every local copy this browser holds for a user (on sign-out). */
export async function clearLocalCopies(userId: string): Promise<void> {
  const prefix = localName(userId, '')
  // Waiting requests for answers are the person's too (see generation-queue).
  for (const key of Object.keys(localStorage)) if (key.startsWith(prefix)) localStorage.removeItem(key)
  await forgetOfflinePages().catch(() => undefined)
  await deleteDatabases((name) => name.startsWith(prefix))
}
