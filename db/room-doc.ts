import type * as Y from 'yjs'
import { type ChatRecord, chatToRecord, docFromUpdates, listChats } from '../shared/doc'
import { chatRoomOf } from '../shared/rooms'
import type { Db } from './client'
import { loadRoom } from './room-storage'

/**
 * A room as storage holds it, as a document, for reading it outside the
 * sync server (exports). Every edit the sync server accepted is there: it
 * stores an update before broadcasting it. The caller destroys the doc.
 */
export async function readRoomDoc(db: Db, room: string): Promise<Y.Doc> {
  return docFromUpdates((await loadRoom(db, room)).updates)
}

/**
 * Every chat an index room lists, as records by id: metadata from `index`
 * (the index room `indexRoom` as read), messages from each chat's own room
 * as stored (decision 021), or from beside its entry for a chat the server
 * has not converted yet. One chat room is in memory at a time.
 */
export async function readChatRecords(db: Db, indexRoom: string, index: Y.Doc): Promise<ChatRecord[]> {
  const ids = listChats(index)
    .map((c) => c.id)
    .sort()
  const records: ChatRecord[] = []
  for (const id of ids) {
    const room = await readRoomDoc(db, chatRoomOf(indexRoom, id))
    try {
      const record = chatToRecord(index, id, room)
      if (record) records.push(record)
    } finally {
      room.destroy()
    }
  }
  return records
}
