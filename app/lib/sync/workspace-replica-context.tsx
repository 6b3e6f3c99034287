import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react'
import type { Chat, PresentPerson } from '../../../shared/doc'
import type { QueuedGeneration } from './generation-queue'
import { WorkspaceReplica, type Person, type Revocation, type RoomReplica, type SyncStatus } from './workspace-replica'

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
  revoked,
  children,
}: {
  workspaceId: string
  person: Person
  revoked: (revocation: Revocation) => ReactNode
  children: ReactNode
}) {
  const [replica, setReplica] = useState<WorkspaceReplica | null>(null)
  const [revocation, setRevocation] = useState<Revocation | null>(null)
  useEffect(() => {
    setRevocation(null)
    const opened = new WorkspaceReplica(workspaceId, { id: person.id, name: person.name }, setRevocation)
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

/**
 * The chat as this device kept it when it was last open (see
 * chat-list-cache), and the room that holds it: shown while the rooms load.
 * Null when the device kept nothing of it.
 */
export function useKeptChat(
  replica: WorkspaceReplica | null,
  chatId: string,
): { chat: Chat; room: RoomReplica } | null {
  const [kept, setKept] = useState<{
    replica: WorkspaceReplica
    shared: readonly Chat[]
    mine: readonly Chat[]
  } | null>(null)
  useEffect(() => {
    if (!replica) return
    let current = true
    void Promise.all([replica.shared.kept, replica.private.kept]).then(([shared, mine]) => {
      if (current) setKept({ replica, shared: shared.chats, mine: mine.chats })
    })
    return () => {
      current = false
    }
  }, [replica])
  if (!replica || kept?.replica !== replica) return null
  const shared = kept.shared.find((c) => c.id === chatId)
  if (shared) return { chat: shared, room: replica.shared }
  const mine = kept.mine.find((c) => c.id === chatId)
  return mine ? { chat: mine, room: replica.private } : null
}
