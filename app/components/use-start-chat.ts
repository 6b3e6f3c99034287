import { useNavigate } from '@tanstack/react-router'
import { useCallback } from 'react'
import { createChat, openChatRoom } from '../../shared/doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import type { ChatRoom } from './chat-list-item'

/**
 * Starts an empty chat, listed in the shown workspace's shared index or in
 * the person's private one, with a room of its own, and opens it; null until the replica is open.
 * The sidebar's buttons and the new-chat shortcut share it.
 */
export function useStartChat(slug: string, userId: string): ((room: ChatRoom) => void) | null {
  const replica = useWorkspaceReplica()
  const navigate = useNavigate()
  const start = useCallback(
    (room: ChatRoom) => {
      if (!replica) return
      const chat = createChat(replica.index(room).doc, { createdBy: userId })
      // The chat's own room is marked as its room at once (offline too): messages go there.
      const shown = replica.showChat(room, chat.id)
      openChatRoom(shown.room.doc, chat.id)
      shown.release()
      void navigate({ to: '/w/$workspaceSlug/c/$chatId', params: { workspaceSlug: slug, chatId: chat.id } })
    },
    [replica, navigate, slug, userId],
  )
  return replica ? start : null
}
