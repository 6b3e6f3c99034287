import type * as Y from 'yjs'
import {
  assertChatImportable,
  chatActivity,
  importChatEntry,
  importChatMessages,
  importSidekiq,
  migrateDoc,
  serverOrigin,
} from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import type { Db } from '../client'
import { usageEvent } from '../schema'
import { chunkEnds, type ChatPlan, type UsagePlan } from './plan-chats'
import type { SidekiqPlan } from './plan-sidekiqs'
import type { ImportCounts } from './report'
import type { RoomWriter } from './room-writer'

export const IMPORT_ORIGIN = serverOrigin('import')

export interface ChatLimits {
  /** Most bytes of message text one stored update carries. */
  maxUpdateBytes: number
  /** Most messages one stored update carries. */
  maxUpdateMessages: number
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = { maxUpdateBytes: 1024 * 1024, maxUpdateMessages: 2000 }

/**
 * The room's schema stamp goes into the import's change: the sync server
 * stamps a stored room when it loads it, and that would otherwise be a
 * stored change on the next run, which must change nothing. Stamped after
 * `fn`, so a write that is refused leaves nothing unstored in the room.
 */
function stamped<T>(fn: (doc: Y.Doc) => T) {
  return (doc: Y.Doc) => {
    const result = fn(doc)
    migrateDoc(doc)
    return result
  }
}

/** A sidekiq into a shared room, unless its id is there already. Returns whether it wrote. */
export function writeSidekiq(rooms: RoomWriter, room: string, workspaceId: string, plan: SidekiqPlan) {
  return rooms.change(
    room,
    workspaceId,
    stamped((doc) => importSidekiq(doc, plan.record, IMPORT_ORIGIN)),
  )
}

/**
 * A chat into a private room (decision 021): its messages into the chat's
 * own room, then its entry into the private room's index, each a change of
 * its own (one transaction, one stored update). A re-run appends only the
 * messages the room lacks and lists the chat only if it is not listed, so
 * a run killed anywhere in between is completed by the next. A long chat
 * is written as growing prefixes of its messages, each its own change, so
 * no one update is huge. The index is checked first, so a chat refused
 * there (its id taken by something unreadable) leaves nothing behind.
 */
export async function writeChat(
  rooms: RoomWriter,
  indexRoom: string,
  workspaceId: string,
  plan: ChatPlan,
  limits: ChatLimits,
  changed: ImportCounts,
) {
  const { record } = plan
  const chatRoom = chatRoomOf(indexRoom, record.id)
  await rooms.change(indexRoom, workspaceId, (doc) => assertChatImportable(doc, record.id))
  const { messages } = record
  for (const end of chunkEnds(messages, limits.maxUpdateBytes, limits.maxUpdateMessages)) {
    changed.messages += await rooms.change(
      chatRoom,
      workspaceId,
      stamped((doc) => importChatMessages(doc, { ...record, messages: messages.slice(0, end) }, IMPORT_ORIGIN)),
    )
  }
  const activity = await rooms.change(chatRoom, workspaceId, (doc) => chatActivity(doc, record.id))
  const created = await rooms.change(
    indexRoom,
    workspaceId,
    stamped((doc) => importChatEntry(doc, record, activity ?? { messageCount: 0 }, IMPORT_ORIGIN)),
  )
  if (created) changed.chats++
}

/**
 * Usage of answers recorded by the old app, straight into `usage_event`
 * (not through recordUsage and its meter outbox): history is reported, and
 * counts toward this period's quota, but is never billed. The ids make a
 * re-run insert nothing.
 */
export async function writeUsage(db: Db, workspaceId: string, events: UsagePlan[], changed: ImportCounts) {
  for (let i = 0; i < events.length; i += 500) {
    const rows = await db
      .insert(usageEvent)
      .values(
        events.slice(i, i + 500).map((e) => ({
          id: e.id,
          workspaceId,
          userId: e.userId,
          chatId: e.chatId,
          kind: 'answer' as const,
          model: e.model,
          inputTokens: e.inputTokens,
          outputTokens: e.outputTokens,
          costMicros: e.costMicros,
          startedAt: e.at,
          endedAt: e.at,
          outcome: 'done' as const,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: usageEvent.id })
    changed.usageEvents += rows.length
  }
}
