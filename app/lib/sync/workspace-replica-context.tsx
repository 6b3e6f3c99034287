import { createContext, useContext, useEffect, useState, useSyncExternalStore, type ReactNode } from 'react'
import { WorkspaceReplica, type Revocation, type SyncStatus } from './workspace-replica'

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
  userId,
  revoked,
  children,
}: {
  workspaceId: string
  userId: string
  revoked: (revocation: Revocation) => ReactNode
  children: ReactNode
}) {
  const [replica, setReplica] = useState<WorkspaceReplica | null>(null)
  const [revocation, setRevocation] = useState<Revocation | null>(null)
  useEffect(() => {
    setRevocation(null)
    const opened = new WorkspaceReplica(workspaceId, userId, setRevocation)
    setReplica(opened)
    return () => {
      opened.destroy()
      setReplica(null)
    }
  }, [workspaceId, userId])
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
