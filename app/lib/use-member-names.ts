import { useEffect, useState } from 'react'
import { z } from 'zod'
import { api } from './api'

const memberList = z.object({
  members: z.array(z.object({ userId: z.string(), user: z.object({ name: z.string() }) })),
})

const storageKey = (viewerId: string, workspaceId: string) => `workspaces:${viewerId}:members:${workspaceId}`

/**
 * The names of the workspace's members by user id, for authors in shared
 * chats. The last list seen is kept on the device (under the person's
 * `workspaces:<userId>:` prefix, cleared on sign-out) so names show offline.
 */
export function useMemberNames(workspaceId: string, viewerId: string): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(() => readKept(viewerId, workspaceId))
  useEffect(() => {
    let live = true
    setNames(readKept(viewerId, workspaceId))
    api(`/api/auth/organization/list-members?organizationId=${encodeURIComponent(workspaceId)}`)
      .then((raw) => {
        const parsed = memberList.safeParse(raw)
        if (!live || !parsed.success) return
        const entries = parsed.data.members.map((m) => [m.userId, m.user.name] as const)
        setNames(new Map(entries))
        try {
          localStorage.setItem(storageKey(viewerId, workspaceId), JSON.stringify(entries))
        } catch {
          // Storage full or blocked: names still show while online.
        }
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [workspaceId, viewerId])
  return names
}

function readKept(viewerId: string, workspaceId: string): ReadonlyMap<string, string> {
  if (typeof localStorage === 'undefined') return new Map()
  try {
    const raw = localStorage.getItem(storageKey(viewerId, workspaceId))
    const parsed = z.array(z.tuple([z.string(), z.string()])).safeParse(raw ? JSON.parse(raw) : [])
    return new Map(parsed.success ? parsed.data : [])
  } catch {
    return new Map()
  }
}
