import postgres from 'postgres'
import type { z } from 'zod'
import { AppError } from '../../shared/errors'
import { fieldErrors } from '../../shared/validation'
import {
  LEGACY_COLUMNS,
  type LegacyTable,
  legacyAccount,
  legacyMessage,
  legacySidekiq,
  legacyTeam,
  legacyTeamInvite,
  legacyTeamMember,
  legacyThread,
  legacyUser,
} from './legacy-rows'
import type { Skipped } from './report'

/** Everything of the legacy database but message bodies, which are read thread by thread. */
export interface LegacySnapshot {
  /** Rows per legacy table, as stored (before checking). */
  rowCounts: Record<LegacyTable, number>
  users: z.output<typeof legacyUser>[]
  accounts: z.output<typeof legacyAccount>[]
  teams: z.output<typeof legacyTeam>[]
  members: z.output<typeof legacyTeamMember>[]
  invites: z.output<typeof legacyTeamInvite>[]
  sidekiqs: z.output<typeof legacySidekiq>[]
  threads: z.output<typeof legacyThread>[]
  /** Rows that did not fit their table's shape. */
  invalid: Skipped[]
}

export interface LegacySource {
  read(): Promise<LegacySnapshot>
  /** The checked messages of these threads, by thread id; invalid rows go to `invalid`. */
  messagesOf(threadIds: string[], invalid: Skipped[]): Promise<Map<string, z.output<typeof legacyMessage>[]>>
  close(): Promise<void>
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return '(not a URL)'
  }
}

/**
 * Connects to the legacy database and checks that it has the tables and
 * columns the import reads. Throws `UPSTREAM_FAILED` when it cannot connect
 * and `BAD_REQUEST` naming what is missing when it is not a legacy database.
 */
export async function openLegacySource(url: string): Promise<LegacySource> {
  const sql = postgres(url, { max: 2, onnotice: () => {}, connect_timeout: 10, idle_timeout: 5 })
  try {
    const rows = await sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema() and table_name in ${sql(Object.keys(LEGACY_COLUMNS))}`
    const have = new Map<string, Set<string>>()
    for (const r of rows) have.set(r.table_name, (have.get(r.table_name) ?? new Set()).add(r.column_name))
    const missing = Object.entries(LEGACY_COLUMNS).flatMap(([table, columns]) => {
      const found = have.get(table)
      if (!found) return [`table "${table}"`]
      return columns.filter((c) => !found.has(c)).map((c) => `column "${table}.${c}"`)
    })
    if (missing.length) {
      throw new AppError('BAD_REQUEST', `Not a legacy database (${redactUrl(url)}): missing ${missing.join(', ')}`)
    }
  } catch (error) {
    await sql.end({ timeout: 1 })
    if (error instanceof AppError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new AppError('UPSTREAM_FAILED', `Could not read the legacy database at ${redactUrl(url)}: ${reason}`)
  }

  function checked<S extends z.ZodType>(
    table: LegacyTable,
    schema: S,
    raw: Record<string, unknown>[],
    invalid: Skipped[],
  ) {
    const out: z.output<S>[] = []
    for (const row of raw) {
      const result = schema.safeParse(row)
      if (result.success) out.push(result.data)
      else {
        const fields = Object.entries(fieldErrors(result.error)).map(([k, v]) => `${k}: ${v}`)
        invalid.push({
          table,
          id: String(row.id ?? `${row.team_id}/${row.user_id}`),
          reason: `invalid row (${fields.join('; ')})`,
        })
      }
    }
    return out
  }

  return {
    async read() {
      const invalid: Skipped[] = []
      const count = async (table: LegacyTable) =>
        Number((await sql<{ n: string }[]>`select count(*) as n from ${sql(table)}`)[0].n)
      const rowCounts = {} as Record<LegacyTable, number>
      for (const table of Object.keys(LEGACY_COLUMNS) as LegacyTable[]) rowCounts[table] = await count(table)
      // Ordered, so every run plans (and writes) in the same order.
      const users = checked('user', legacyUser, await sql`select * from "user" order by created_at, id`, invalid)
      const accounts = checked('account', legacyAccount, await sql`select * from account order by id`, invalid)
      const teams = checked('team', legacyTeam, await sql`select * from team order by created_at, id`, invalid)
      const members = checked(
        'team_member',
        legacyTeamMember,
        await sql`select * from team_member order by team_id, joined_at, user_id`,
        invalid,
      )
      const invites = checked(
        'team_invite',
        legacyTeamInvite,
        await sql`select * from team_invite order by team_id, created_at, id`,
        invalid,
      )
      const sidekiqs = checked(
        'sidekiq',
        legacySidekiq,
        await sql`select * from sidekiq order by created_at, id`,
        invalid,
      )
      const threads = checked(
        'thread',
        legacyThread,
        await sql`select * from thread order by user_id, created_at, id`,
        invalid,
      )
      return { rowCounts, users, accounts, teams, members, invites, sidekiqs, threads, invalid }
    },
    async messagesOf(threadIds, invalid) {
      const byThread = new Map<string, z.output<typeof legacyMessage>[]>(threadIds.map((t) => [t, []]))
      if (!threadIds.length) return byThread
      const raw =
        await sql`select * from message where thread_id in ${sql(threadIds)} order by thread_id, created_at, id`
      for (const m of checked('message', legacyMessage, raw, invalid)) byThread.get(m.thread_id)?.push(m)
      return byThread
    },
    close: () => sql.end({ timeout: 5 }),
  }
}
