import type * as Y from 'yjs'
import { importChat, importSidekiq, migrateDoc, serverOrigin } from '../../shared/doc'
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
 * A chat into a private room: one change (one transaction, one stored
 * update), so a killed run never leaves half a chat, and a re-run appends
 * only the messages the room lacks. A long chat is written as growing
 * prefixes of its messages, each its own change, so no one update is huge;
 * a run killed between them is completed the same way.
 */
export async function writeChat(
  rooms: RoomWriter,
  room: string,
  workspaceId: string,
  plan: ChatPlan,
  limits: ChatLimits,
  changed: ImportCounts,
) {
  const { messages } = plan.record
  for (const end of chunkEnds(messages, limits.maxUpdateBytes, limits.maxUpdateMessages)) {
    const result = await rooms.change(
      room,
      workspaceId,
      stamped((doc) => importChat(doc, { ...plan.record, messages: messages.slice(0, end) }, IMPORT_ORIGIN)),
    )
    if (result.created) changed.chats++
    changed.messages += result.addedMessages
  }
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
