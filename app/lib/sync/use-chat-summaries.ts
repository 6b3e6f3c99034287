import { useEffect, useState } from 'react'
import { listChats, type ChatSummary } from '../../../shared/doc'
import { useDocValue } from './use-doc'
import type { RoomReplica } from './room-replica'

const NO_CHATS: ChatSummary[] = []

/**
 * An index room's chats for the sidebar (its index only: no chat room is
 * opened for it): live from the room once its local copy has loaded, and
 * until then the top of the list this device kept (see chat-list-cache), so
 * a big workspace's sidebar shows at once.
 */
export function useChatSummaries(room: RoomReplica | null): ChatSummary[] {
  const live = useDocValue(room?.doc ?? null, listChats, NO_CHATS)
  const [loadedRoom, setLoadedRoom] = useState<RoomReplica | null>(null)
  const [kept, setKept] = useState<{ room: RoomReplica; chats: ChatSummary[] | null } | null>(null)
  useEffect(() => {
    if (!room) return
    let current = true
    void room.keptChatList.then((chats) => {
      if (current) setKept({ room, chats })
    })
    void room.loaded.then(() => {
      if (current) setLoadedRoom(room)
    })
    return () => {
      current = false
    }
  }, [room])
  if (!room) return NO_CHATS
  const loaded = loadedRoom === room || room.isLoaded
  const keptChats = kept?.room === room ? kept.chats : null
  return loaded ? live : (keptChats ?? live)
}
