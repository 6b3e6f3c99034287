import type { LegacyTable } from './legacy-rows'

/** A legacy row that was not imported, and why. */
export interface Skipped {
  table: string
  id: string
  reason: string
}

export const COUNT_LABELS = {
  users: 'users',
  accounts: 'accounts',
  personalWorkspaces: 'personal workspaces',
  workspaces: 'team workspaces',
  members: 'team memberships',
  invitations: 'invitations',
  sidekiqs: 'sidekiqs',
  chats: 'chats',
  messages: 'messages',
  usageEvents: 'usage events',
} as const

export type ImportCounts = Record<keyof typeof COUNT_LABELS, number>

export function emptyCounts(): ImportCounts {
  return Object.fromEntries(Object.keys(COUNT_LABELS).map((k) => [k, 0])) as ImportCounts
}

/** What one target workspace receives. */
export interface WorkspaceCounts {
  /** `team:<legacy team id>` or `personal:<user id>`. */
  key: string
  label: string
  members: number
  invitations: number
  sidekiqs: number
  chats: number
  messages: number
}

export interface ImportReport {
  dryRun: boolean
  /** Rows per legacy table. */
  source: Record<LegacyTable, number>
  /**
   * What the legacy data becomes: everything the import writes into a target
   * that has none of it (people matched to accounts here bring no user and
   * usually no personal workspace).
   */
  planned: ImportCounts
  /** What this run wrote (all zero on a dry run; zero again on a run over a finished import). */
  changed: ImportCounts
  workspaces: WorkspaceCounts[]
  skipped: Skipped[]
  /** Fields and rows not carried, and warnings (limits passed, names changed). */
  notes: string[]
}

const MAX_IDS_SHOWN = 10

function countsLine(counts: ImportCounts): string {
  return (Object.keys(COUNT_LABELS) as (keyof ImportCounts)[]).map((k) => `${counts[k]} ${COUNT_LABELS[k]}`).join(', ')
}

/** The report as the CLI prints it. */
export function formatReport(report: ImportReport): string {
  const lines: string[] = []
  lines.push(report.dryRun ? 'Dry run: nothing was written.' : 'Import finished.')
  lines.push('', 'Legacy rows per table:')
  for (const [table, n] of Object.entries(report.source)) lines.push(`  ${table.padEnd(14)} ${n}`)
  lines.push('', `Becomes: ${countsLine(report.planned)}`)
  if (!report.dryRun) {
    const c = report.changed
    lines.push(
      `Changed by this run: ${c.users} users created, ${c.accounts} accounts copied, ` +
        `${c.personalWorkspaces} personal workspaces created, ${c.workspaces} team workspaces created, ` +
        `${c.members} memberships added, ${c.invitations} invitations added, ${c.sidekiqs} sidekiqs written, ` +
        `${c.chats} chats created, ${c.messages} messages added, ${c.usageEvents} usage events recorded`,
    )
  }
  lines.push('', 'Per workspace (members, invitations, sidekiqs, chats, messages):')
  for (const w of report.workspaces) {
    lines.push(`  ${w.label}: ${w.members}, ${w.invitations}, ${w.sidekiqs}, ${w.chats}, ${w.messages}`)
  }
  const groups = new Map<string, string[]>()
  for (const s of report.skipped) {
    const key = `${s.table}: ${s.reason}`
    groups.set(key, [...(groups.get(key) ?? []), s.id])
  }
  lines.push('', `Not imported (${report.skipped.length}):${groups.size ? '' : ' none'}`)
  for (const [key, ids] of groups) {
    const shown = ids.slice(0, MAX_IDS_SHOWN).join(', ')
    lines.push(`  ${key}: ${ids.length} (${shown}${ids.length > MAX_IDS_SHOWN ? ', …' : ''})`)
  }
  lines.push('', 'Notes:')
  for (const note of report.notes) lines.push(`  - ${note}`)
  return lines.join('\n')
}
