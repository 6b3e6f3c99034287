import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react'
import { readPresence, type PresentPerson } from '../../../shared/doc'
import type { QueuedGeneration } from './generation-queue'
import type { RoomClose } from './room-replica'
import {
  WorkspaceReplica,
  type ChatLocation,
  type ChatOnScreen,
  type IndexKind,
  type Person,
  type Revocation,
  type RoomReplica,
  type SyncStatus,
} from './workspace-replica'

const ReplicaContext = createContext<WorkspaceReplica | null>(null)

/**
 * Holds the shown workspace's replica: opened in the browser only (IndexedDB
 * and websockets do not exist on the server), and destroyed when the
 * workspace changes or the page leaves it, so switching never keeps the old
 * workspace's documents or connections. `revoked` replaces the page when
 * the server ends our access.
 */
export function WorkspaceReplicaProvider({
  workspaceId,
  person,
  chatOnScreen,
  revoked,
  children,
}: {
  workspaceId: string
  person: Person
  /** The chat the page shows as the workspace opens, if any: it loads first. */
  chatOnScreen?: ChatOnScreen
  revoked: (revocation: Revocation) => ReactNode
  children: ReactNode
}) {
  const [replica, setReplica] = useState<WorkspaceReplica | null>(null)
  const [revocation, setRevocation] = useState<Revocation | null>(null)
  // Read when the workspace opens only: a chat shown later opens with its view.
  const firstChat = useRef(chatOnScreen)
  firstChat.current ??= chatOnScreen
  useEffect(() => {
    setRevocation(null)
    const opened = new WorkspaceReplica(workspaceId, { id: person.id, name: person.name }, setRevocation, {
      chatOnScreen: firstChat.current,
    })
    setReplica(opened)
    return () => {
      opened.destroy()
      setReplica(null)
    }
  }, [workspaceId, person.id, person.name])
  return (
    <ReplicaContext.Provider value={replica}>{revocation ? revoked(revocation) : children}</ReplicaContext.Provider>
  )
}

/** The shown workspace's replica; null until it is opened in the browser. */
export function useWorkspaceReplica(): WorkspaceReplica | null {
  return useContext(ReplicaContext)
}

const noSubscription = () => () => {}

/** Offline, syncing or online; null before the replica opens (server render, first paint). */
export function useSyncStatus(): SyncStatus | null {
  const replica = useWorkspaceReplica()
  return useSyncExternalStore(
    replica?.subscribe ?? noSubscription,
    () => replica?.getStatus() ?? null,
    () => null,
  )
}

/** Whether the shown workspace's index rooms have synced with the server since it opened (see WorkspaceReplica). */
export function useIndexesSynced(replica: WorkspaceReplica | null): boolean {
  return useSyncExternalStore(
    replica?.subscribe ?? noSubscription,
    () => replica?.getIndexesSynced() ?? false,
    () => false,
  )
}

const NOBODY: PresentPerson[] = []

/** Who is in the workspace now (from the shared room's awareness), the viewer included. */
export function usePresence(): PresentPerson[] {
  const replica = useWorkspaceReplica()
  return useSyncExternalStore(
    replica?.subscribePresence ?? noSubscription,
    () => replica?.getPresence() ?? NOBODY,
    () => NOBODY,
  )
}

const NOTHING_QUEUED: readonly QueuedGeneration[] = []

/** Answers asked for that wait for the server (offline, or reconnecting). */
export function usePendingGenerations(): readonly QueuedGeneration[] {
  const replica = useWorkspaceReplica()
  return useSyncExternalStore(
    replica?.generations.subscribe ?? noSubscription,
    () => replica?.generations.getPending() ?? NOTHING_QUEUED,
    () => NOTHING_QUEUED,
  )
}

/**
 * Whether the replica's rooms have loaded from the device. Before that a
 * chat or sidekiq missing from the doc is only not read yet (a big
 * workspace takes a moment), and saying "not here" would be premature.
 */
export function useReplicaLoaded(replica: WorkspaceReplica | null): boolean {
  const [loaded, setLoaded] = useState<WorkspaceReplica | null>(null)
  useEffect(() => {
    if (!replica) return
    let current = true
    void replica.loaded.then(() => {
      if (current) setLoaded(replica)
    })
    return () => {
      current = false
    }
  }, [replica])
  return !!replica && (loaded === replica || (replica.shared.isLoaded && replica.private.isLoaded))
}

/** Whether the room has loaded, synced, or was closed for good: read again on each change of the workspace's rooms. */
export interface RoomState {
  readonly loaded: boolean
  readonly synced: boolean
  readonly closedWith: RoomClose | null
}

const NO_ROOM_STATE: RoomState = { loaded: false, synced: false, closedWith: null }

/** A room's state, kept current. */
export function useRoomState(replica: WorkspaceReplica | null, room: RoomReplica | null): RoomState {
  const cache = useRef<RoomState>(NO_ROOM_STATE)
  const read = () => {
    if (!room) return NO_ROOM_STATE
    const next = { loaded: room.isLoaded, synced: room.synced, closedWith: room.closedWith }
    const prev = cache.current
    if (prev.loaded === next.loaded && prev.synced === next.synced && prev.closedWith === next.closedWith) return prev
    cache.current = next
    return next
  }
  return useSyncExternalStore(replica?.chatRooms.subscribe ?? noSubscription, read, () => NO_ROOM_STATE)
}

/**
 * Where the device last saw the chat (the kept lists), for showing it before
 * the index rooms have decoded; null until read, or when they do not list it.
 */
export function useKeptLocation(replica: WorkspaceReplica | null, chatId: string): ChatLocation | null {
  const [found, setFound] = useState<{
    replica: WorkspaceReplica
    chatId: string
    location: ChatLocation | null
  } | null>(null)
  useEffect(() => {
    if (!replica) return
    let current = true
    void replica.keptLocation(chatId).then((location) => {
      if (current) setFound({ replica, chatId, location })
    })
    return () => {
      current = false
    }
  }, [replica, chatId])
  return found?.replica === replica && found.chatId === chatId ? found.location : null
}

/**
 * Opens the room of the chat on screen (in the index `kind`) while it is
 * shown; null until the replica is open or while the chat's index is unknown.
 */
export function useChatRoom(
  replica: WorkspaceReplica | null,
  kind: IndexKind | null,
  chatId: string,
): RoomReplica | null {
  const [shown, setShown] = useState<{ key: string; room: RoomReplica } | null>(null)
  const key = `${kind}:${chatId}`
  useEffect(() => {
    if (!replica || !kind) return
    const handle = replica.showChat(kind, chatId)
    setShown({ key, room: handle.room })
    return () => handle.release()
  }, [replica, kind, chatId, key])
  return shown?.key === key && !shown.room.isDestroyed ? shown.room : null
}

/** Who has a chat's room open now (from its awareness), the viewer included. */
export function useChatPresence(room: RoomReplica | null): PresentPerson[] {
  const cache = useRef<{ room: RoomReplica | null; people: PresentPerson[] }>({ room: null, people: NOBODY })
  const subscribe = useCallback(
    (notify: () => void) => {
      if (!room) return () => {}
      const awareness = room.remote.awareness
      const changed = () => {
        cache.current = { room, people: readPresence(awareness.getStates()) }
        notify()
      }
      awareness.on('change', changed)
      changed()
      return () => awareness.off('change', changed)
    },
    [room],
  )
  return useSyncExternalStore(
    subscribe,
    () => (cache.current.room === room ? cache.current.people : NOBODY),
    () => NOBODY,
  )
}
