import { listChats, getChatSummary } from '../../../shared/doc'
import { chatRoomOf } from '../../../shared/rooms'
import type { ChatRooms } from './chat-rooms'
import { onDocChanged } from './doc-changes'
import {
  chatsToDrop,
  chatsToKeep,
  chatsToSync,
  parseKeptChatRooms,
  recordOpened,
  recordSynced,
  recordUnsent,
  type KeptChatRoom,
} from './kept-chats'
import { KEPT_CHAT_ROOMS, OLD_KEPT_CHATS, readKept, writeKept } from './kept-list-store'
import { RoomReplica, localName } from './room-replica'
import { clearDocument } from 'y-indexeddb'

/** How many chat rooms are fetched at once in the background: enough to fill, few enough not to crowd the open chat. */
export const KEEPING_CONCURRENCY = 3
/** How long after the index changes the kept chats are brought up to date. */
const REFRESH_AFTER_MS = 2000
/** A background sync that does not finish within this long is given up until the next round. */
const SYNC_TIMEOUT_MS = 30_000

/**
 * Keeps an index room's chats on the device for offline use (kept-chats
 * says which): each kept chat's room is opened with its IndexedDB copy,
 * synced once and closed, a few at a time, in the background, after the
 * chat on screen. Chats that fall out of the kept set lose their copy. The
 * list of what is kept lives beside the index room.
 */
export class KeptChatKeeper {
  private kept: KeptChatRoom[] = []
  private readonly ready: Promise<void>
  private running: Promise<void> | null = null
  private again = false
  private timer: ReturnType<typeof setTimeout> | null = null
  private stopWatching: (() => void) | null = null
  private destroyed = false
  private started = false
  private readonly syncing = new Set<RoomReplica>()

  constructor(
    private readonly index: RoomReplica,
    private readonly userId: string,
    private readonly syncUrl: string,
    private readonly chatRooms: ChatRooms,
  ) {
    // Not `loaded`: that waits for the device's conversion, which records its chats here.
    this.ready = index.localLoaded.then(async () => {
      const local = index.localCopy
      if (!local) return
      this.kept = parseKeptChatRooms(await readKept(local, KEPT_CHAT_ROOMS))
      // Copies of chats with their messages, kept by versions before decision 021: the rooms replace them.
      void local.del(OLD_KEPT_CHATS).catch(() => undefined)
    })
  }

  /** Whether this device keeps a copy of the chat's room (synced at least once, or opened here). */
  async isKept(chatId: string): Promise<boolean> {
    await this.ready
    return this.kept.some((k) => k.chatId === chatId)
  }

  /** Records that the person opened the chat now: it is kept for the next 30 days. */
  opened(chatId: string) {
    void this.ready.then(() => {
      if (this.destroyed) return
      this.kept = recordOpened(this.kept, chatId, Date.now())
      this.save()
    })
  }

  /** Records that the chat's room holds writes of this device not yet sent: it is kept and synced. */
  unsent(chatId: string): Promise<void> {
    return this.ready.then(() => {
      if (this.destroyed) return
      this.kept = recordUnsent(this.kept, chatId)
      this.save()
    })
  }

  /**
   * Starts keeping: called once the chat on screen (if any) has loaded, so
   * the background never competes with it. Later index changes refresh.
   */
  start() {
    if (this.started || this.destroyed) return
    this.started = true
    void this.ready.then(() => {
      if (this.destroyed) return
      this.stopWatching = onDocChanged(this.index.doc, () => this.refreshSoon())
      this.index.remote.on('sync', this.onSync)
      this.refreshSoon()
    })
  }

  destroy() {
    this.destroyed = true
    if (this.timer) clearTimeout(this.timer)
    this.stopWatching?.()
    this.index.remote.off('sync', this.onSync)
    for (const room of this.syncing) room.destroy()
    this.syncing.clear()
  }

  private onSync = (synced: boolean) => {
    if (synced) this.refreshSoon()
  }

  private refreshSoon() {
    if (this.destroyed || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.refresh()
    }, REFRESH_AFTER_MS)
  }

  /** One round: drop what is no longer kept, fetch what is behind; a round asked for meanwhile runs after. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.round().finally(() => {
      this.running = null
      if (this.again && !this.destroyed) {
        this.again = false
        void this.refresh()
      }
    })
    return this.running
  }

  private async round() {
    await this.ready
    // Only an index the server has answered for says what to fetch or drop; offline there is nothing to fetch.
    if (this.destroyed || !this.chatRooms.isOnline || !this.index.synced) return
    const chats = listChats(this.index.doc)
    const keep = chatsToKeep(chats, this.kept, Date.now())
    for (const chatId of chatsToDrop(this.kept, keep)) {
      const name = chatRoomOf(this.index.name, chatId)
      if (this.chatRooms.get(name)) continue
      this.kept = this.kept.filter((k) => k.chatId !== chatId)
      await clearDocument(localName(this.userId, name)).catch(() => undefined)
    }
    this.save()
    const queue = chatsToSync(chats, this.kept, keep)
    const worker = async () => {
      for (let chatId = queue.shift(); chatId !== undefined && !this.destroyed; chatId = queue.shift()) {
        await this.syncOnce(chatId)
      }
    }
    await Promise.all(Array.from({ length: KEEPING_CONCURRENCY }, worker))
  }

  /** Syncs one chat's room into its IndexedDB copy: through the open room if it is on screen, else opened and closed. */
  private async syncOnce(chatId: string) {
    const name = chatRoomOf(this.index.name, chatId)
    const open = this.chatRooms.get(name)
    const room =
      open ??
      new RoomReplica(name, localName(this.userId, name), this.syncUrl, {
        keepsChatList: false,
        onChange: () => {},
        onClosed: () => {},
      })
    if (!open) this.syncing.add(room)
    try {
      const synced = await whenSynced(room)
      const summary = getChatSummary(this.index.doc, chatId)
      if (synced && summary && !this.destroyed) {
        this.kept = recordSynced(this.kept, summary)
        this.save()
      }
    } finally {
      if (!open) {
        this.syncing.delete(room)
        room.destroy()
      }
    }
  }

  private save() {
    const local = this.index.localCopy
    if (!local || this.destroyed) return
    writeKept(local, KEPT_CHAT_ROOMS)(JSON.stringify(this.kept)).catch(() => undefined)
  }
}

/** Resolves true once the room has loaded its copy and synced with the server; false on a close or a timeout. */
function whenSynced(room: RoomReplica): Promise<boolean> {
  return room.loaded.then(
    () =>
      new Promise<boolean>((resolve) => {
        if (room.synced) return resolve(true)
        const done = (ok: boolean) => {
          clearTimeout(timer)
          room.remote.off('sync', onSync)
          room.remote.off('closed', onClosed)
          resolve(ok)
        }
        const onSync = (synced: boolean) => synced && done(true)
        const onClosed = () => done(false)
        const timer = setTimeout(() => done(false), SYNC_TIMEOUT_MS)
        room.remote.on('sync', onSync)
        room.remote.on('closed', onClosed)
      }),
  )
}
