import { AppError } from '../../shared/errors'
import { planFor } from '../../shared/plans'
import { privateRoom, sharedRoom } from '../../shared/rooms'
import type { Db } from '../client'
import { getPersonalWorkspace } from '../workspaces'
import { roomSafeId } from './ids'
import type { LegacySidekiq } from './legacy-rows'
import { planChat, type ChatPlan } from './plan-chats'
import { planSidekiqs, workspaceKeyString, type WorkspaceKey } from './plan-sidekiqs'
import { planTeams } from './plan-teams'
import { planUsers } from './plan-users'
import { emptyCounts, type ImportReport, type Skipped, type WorkspaceCounts } from './report'
import type { RoomWriter } from './room-writer'
import type { LegacySource } from './source'
import { DEFAULT_CHAT_LIMITS, writeChat, writeSidekiq, writeUsage, type ChatLimits } from './write-content'
import { findTargetUsers, writePersonalWorkspaces, writeTeam, writeUsers } from './write-people'

export { openLegacySource, redactUrl, type LegacySource } from './source'
export { formatReport, type ImportReport, type ImportCounts } from './report'
export type { RoomWriter } from './room-writer'

export interface LegacyImportOptions {
  /** The target: our database. */
  db: Db
  source: LegacySource
  /** Writes rooms (the sync server's machinery); not needed for a dry run. */
  rooms?: RoomWriter
  /** Reads and plans everything, writes nothing. */
  dryRun?: boolean
  /** Invitations that expire before this are left behind. */
  now?: Date
  /** Progress lines. */
  log?: (line: string) => void
  chatLimits?: Partial<ChatLimits>
}

/** Threads whose messages are read from the legacy database at once. */
const THREAD_BATCH = 20
/** A progress line every this many threads. */
const PROGRESS_EVERY = 10

/**
 * Moves the team-based app's data into workspaces (decision 018): users and
 * accounts, a personal workspace each, a workspace per team with members
 * and pending invitations, sidekiqs, every thread as a chat in its person's
 * private room, and recorded tokens as usage history. Each step writes only
 * what the target lacks, in the order users, personal workspaces, teams,
 * sidekiqs, threads (with their usage), so a second run changes nothing and
 * an interrupted one can simply run again.
 */
export async function importLegacy(options: LegacyImportOptions): Promise<ImportReport> {
  const { db, source, dryRun = false, now = new Date(), log = () => {} } = options
  const rooms = options.rooms
  if (!dryRun && !rooms) throw new AppError('INTERNAL', 'A real import needs a room writer')
  const limits = { ...DEFAULT_CHAT_LIMITS, ...options.chatLimits }
  const planned = emptyCounts()
  const changed = emptyCounts()

  log('reading the legacy database')
  const legacy = await source.read()
  const skipped: Skipped[] = [...legacy.invalid]
  const notes: string[] = [
    `${legacy.rowCounts.session} sessions and ${legacy.rowCounts.verification} verifications not imported: transient (people sign in again)`,
  ]

  const existing = await findTargetUsers(
    db,
    legacy.users.map((u) => roomSafeId('user', u.id)),
    legacy.users.map((u) => u.email),
  )
  const people = planUsers(legacy.users, legacy.accounts, existing)
  const teams = planTeams(legacy, people.users, now)
  const teamIds = new Set(teams.teams.map((t) => t.legacyId))
  const sidekiqs = planSidekiqs(legacy.sidekiqs, people.users, teamIds)
  skipped.push(...people.skipped, ...teams.skipped, ...sidekiqs.skipped)
  notes.push(...people.notes, ...teams.notes, ...sidekiqs.notes)

  const users = [...people.users.values()]
  planned.users = users.filter((u) => !u.matched).length
  planned.accounts = people.accounts.length
  // People matched to an account here usually have theirs already.
  for (const u of users) if (!u.matched || !(await getPersonalWorkspace(db, u.targetId))) planned.personalWorkspaces++
  planned.workspaces = teams.teams.length
  planned.members = teams.teams.reduce((n, t) => n + t.members.length, 0)
  planned.invitations = teams.teams.reduce((n, t) => n + t.invitations.length, 0)
  planned.sidekiqs = sidekiqs.sidekiqs.length

  const perWorkspace = new Map<string, WorkspaceCounts>()
  const tally = (key: WorkspaceKey) => {
    const k = workspaceKeyString(key)
    let w = perWorkspace.get(k)
    if (!w) {
      const label =
        key.kind === 'team'
          ? `${teams.teams.find((t) => t.legacyId === key.teamId)!.name} (team ${key.teamId})`
          : `${users.find((u) => u.targetId === key.userId)!.email} (personal)`
      w = { key: k, label, members: 0, invitations: 0, sidekiqs: 0, chats: 0, messages: 0 }
      perWorkspace.set(k, w)
    }
    return w
  }
  for (const u of users) tally({ kind: 'personal', userId: u.targetId })
  for (const t of teams.teams) {
    const w = tally({ kind: 'team', teamId: t.legacyId })
    w.members = t.members.length
    w.invitations = t.invitations.length
  }
  for (const s of sidekiqs.sidekiqs) tally(s.target).sidekiqs++

  // Writes, in the order that lets a killed run resume.
  const personal = new Map<string, string>()
  const workspaceIdOf = (key: WorkspaceKey) =>
    key.kind === 'team' ? teams.teams.find((t) => t.legacyId === key.teamId)!.workspaceId : personal.get(key.userId)!
  if (!dryRun) {
    await writeUsers(db, users, people.accounts, changed)
    log(`users: ${changed.users} created, ${changed.accounts} accounts copied`)
    for (const [k, v] of await writePersonalWorkspaces(db, users, changed)) personal.set(k, v)
    log(`personal workspaces: ${changed.personalWorkspaces} created`)
    for (const team of teams.teams) await writeTeam(db, team, changed)
    log(
      `teams: ${changed.workspaces} workspaces created, ${changed.members} members, ${changed.invitations} invitations`,
    )
    for (const s of sidekiqs.sidekiqs) {
      const workspaceId = workspaceIdOf(s.target)
      const wrote = await reported(skipped, 'sidekiq', s.legacyId, () =>
        writeSidekiq(rooms!, sharedRoom(workspaceId), workspaceId, s),
      )
      if (wrote) changed.sidekiqs++
    }
    log(`sidekiqs: ${changed.sidekiqs} written`)
  }
  overLimitSidekiqs(perWorkspace, notes)

  const legacySidekiqs = new Map<string, LegacySidekiq>(legacy.sidekiqs.map((s) => [s.id, s]))
  const landed = new Map(sidekiqs.sidekiqs.map((s) => [s.legacyId, s]))
  const threads = legacy.threads.filter((t) => {
    if (people.users.has(t.user_id)) return true
    skipped.push({ table: 'thread', id: t.id, reason: 'its user was not imported' })
    return false
  })
  let cut = 0
  let done = 0
  for (let i = 0; i < threads.length; i += THREAD_BATCH) {
    const batch = threads.slice(i, i + THREAD_BATCH)
    const messages = await source.messagesOf(
      batch.map((t) => t.id),
      skipped,
    )
    for (const thread of batch) {
      const userId = people.users.get(thread.user_id)!.targetId
      const plan: ChatPlan = planChat(thread, messages.get(thread.id) ?? [], {
        userId,
        legacySidekiqs,
        sidekiqs: landed,
      })
      cut += plan.cut
      planned.chats++
      planned.messages += plan.record.messages.length
      planned.usageEvents += plan.usage.length
      const w = tally({ kind: 'personal', userId })
      w.chats++
      w.messages += plan.record.messages.length
      if (!dryRun) {
        const workspaceId = personal.get(userId)!
        const written = await reported(skipped, 'thread', thread.id, async () => {
          await writeChat(rooms!, privateRoom(workspaceId, userId), workspaceId, plan, limits, changed)
          return true
        })
        if (written) await writeUsage(db, workspaceId, plan.usage, changed)
      }
      if (++done % PROGRESS_EVERY === 0 || done === threads.length) {
        log(
          `threads ${done}/${threads.length}: ${changed.chats} chats created, ${changed.messages} messages added` +
            (dryRun ? ' (dry run)' : ''),
        )
      }
    }
  }
  if (cut) notes.push(`${cut} message texts longer than our limit were cut to it`)
  notes.push('thread message_count not carried: the chat counts its messages')
  if (planned.usageEvents)
    notes.push(
      `${planned.usageEvents} recorded answers become usage history: shown in usage reports, counted toward the quota of the months they fall in, never billed`,
    )

  return {
    dryRun,
    source: legacy.rowCounts,
    planned,
    changed,
    workspaces: [...perWorkspace.values()],
    skipped,
    notes,
  }
}

/**
 * Runs one item's write; a refusal of that item (an `AppError`: a record our
 * rules reject, an id taken by something else) is reported and the import
 * goes on. Anything else (the database gone) stops the run.
 */
async function reported<T>(skipped: Skipped[], table: string, id: string, write: () => Promise<T>) {
  try {
    return await write()
  } catch (error) {
    if (!(error instanceof AppError)) throw error
    skipped.push({
      table,
      id,
      reason: `refused: ${error.message}${error.fields ? ` ${JSON.stringify(error.fields)}` : ''}`,
    })
    return null
  }
}

/** Sidekiqs beyond the free plan's limit are kept; the report says where. */
function overLimitSidekiqs(perWorkspace: Map<string, WorkspaceCounts>, notes: string[]) {
  const limit = planFor('free').limits.sidekiqs
  if (limit === null) return
  for (const w of perWorkspace.values()) {
    if (w.sidekiqs > limit) notes.push(`${w.label}: ${w.sidekiqs} sidekiqs, over the free plan's ${limit}; all kept`)
  }
}
