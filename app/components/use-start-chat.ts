import { useNavigate } from '@tanstack/react-router'
import { useCallback } from 'react'
import { createChat } from '../../shared/doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import type { ChatRoom } from './chat-list-item'

/**
 * Starts an empty chat in the shown workspace's shared room or in the
 * person's private room and opens it; null until the replica is open.
 * The sidebar's buttons and the new-chat shortcut share it.
 */
export function useStartChat(slug: string, userId: string): ((room: ChatRoom) => void) | null {
  const replica = useWorkspaceReplica()
  const navigate = useNavigate()
  const start = useCallback(
    (room: ChatRoom) => {
      if (!replica) return
      const chat = createChat(room === 'shared' ? replica.shared.doc : replica.private.doc, { createdBy: userId })
      void navigate({ to: '/w/$workspaceSlug/c/$chatId', params: { workspaceSlug: slug, chatId: chat.id } })
    },
    [replica, navigate, slug, userId],
  )
  return replica ? start : null
}
