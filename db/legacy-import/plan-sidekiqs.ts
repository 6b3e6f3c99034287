import type { z } from 'zod'
import { MAX_CONVERSATION_STARTERS, MAX_SIDEKIQ_NAME_LENGTH, type sidekiqRecord } from '../../shared/doc'
import { docSafeId } from './ids'
import type { LegacySidekiq } from './legacy-rows'
import { CATALOG_DEFAULT_MODEL, catalogModel } from './models'
import type { UserPlan } from './plan-users'
import type { Skipped } from './report'

/** Where content lands: a team's workspace, or a person's personal one (its id is known only once it exists). */
export type WorkspaceKey = { kind: 'team'; teamId: string } | { kind: 'personal'; userId: string }

export const workspaceKeyString = (k: WorkspaceKey) => (k.kind === 'team' ? `team:${k.teamId}` : `personal:${k.userId}`)

export interface SidekiqPlan {
  legacyId: string
  target: WorkspaceKey
  record: z.input<typeof sidekiqRecord>
}

export interface SidekiqsPlan {
  sidekiqs: SidekiqPlan[]
  skipped: Skipped[]
  notes: string[]
}

const DEFAULT_COLOR = '#4f46e5'
const PICTOGRAPH = /\p{Extended_Pictographic}|\p{Regional_Indicator}/u

/** Text cut to a limit; `onCut` hears of it, as nothing should shrink silently. */
export function clip(text: string, max: number, onCut: () => void): string {
  if (text.length <= max) return text
  onCut()
  return text.slice(0, max)
}

function avatarOf(raw: unknown, name: string) {
  const a = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const emoji = typeof a.emoji === 'string' ? a.emoji.trim() : ''
  if (a.type === 'emoji' && emoji && emoji.length <= 16 && PICTOGRAPH.test(emoji))
    return { kind: 'emoji' as const, value: emoji }
  const initials =
    name
      .split(/\s+/)
      .map((w) => [...w].find((c) => /[\p{L}\p{N}]/u.test(c)) ?? '')
      .join('')
      .slice(0, 2)
      .toUpperCase() || 'S'
  const color = typeof a.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(a.color) ? a.color : DEFAULT_COLOR
  return { kind: 'initials' as const, value: [...initials].slice(0, 3).join(''), color }
}

/** Strings, or objects with a text (or title) field: the shapes the old app stored over time. */
function startersOf(raw: unknown): string[] {
  if (!Array.isArray(raw)) return []
  return raw
    .map((s) => {
      if (typeof s === 'string') return s
      if (typeof s === 'object' && s !== null) {
        const o = s as Record<string, unknown>
        return typeof o.text === 'string' ? o.text : typeof o.title === 'string' ? o.title : ''
      }
      return ''
    })
    .map((s) => s.trim().slice(0, 200).trim())
    .filter(Boolean)
}

/**
 * Sidekiqs of a team go to that team's workspace, the others to their
 * owner's personal one, in its shared room. Fields without a home here are
 * counted for the report.
 */
export function planSidekiqs(
  legacy: LegacySidekiq[],
  users: Map<string, UserPlan>,
  teamIds: Set<string>,
): SidekiqsPlan {
  const skipped: Skipped[] = []
  const sidekiqs: SidekiqPlan[] = []
  let teamEdit = 0
  const homeless: string[] = []
  let startersCut = 0
  let unknownModel = 0
  let cut = 0
  for (const s of legacy) {
    const owner = users.get(s.owner_id)
    if (!owner) {
      skipped.push({ table: 'sidekiq', id: s.id, reason: 'its owner was not imported' })
      continue
    }
    let target: WorkspaceKey = { kind: 'personal', userId: owner.targetId }
    if (s.team_id && teamIds.has(s.team_id)) target = { kind: 'team', teamId: s.team_id }
    else if (s.team_id) homeless.push(s.id)
    if (s.team_id && s.can_team_edit) teamEdit++
    const starters = startersOf(s.conversation_starters)
    if (starters.length > MAX_CONVERSATION_STARTERS) startersCut++
    const model = catalogModel(s.default_model)
    if (!model) unknownModel++
    const name = clip(s.name.trim(), MAX_SIDEKIQ_NAME_LENGTH, () => cut++).trim() || 'Sidekiq'
    sidekiqs.push({
      legacyId: s.id,
      target,
      record: {
        id: docSafeId('sidekiq', s.id),
        name,
        description: clip((s.description ?? '').trim(), 500, () => cut++),
        instructions: clip(s.instructions ?? '', 20_000, () => cut++),
        conversationStarters: starters.slice(0, MAX_CONVERSATION_STARTERS),
        model: model ?? CATALOG_DEFAULT_MODEL,
        avatar: avatarOf(s.avatar, name),
        favorite: s.is_favorite ?? false,
        createdBy: owner.targetId,
        createdAt: s.created_at.getTime(),
        updatedAt: s.updated_at.getTime(),
      },
    })
  }
  const notes = ['sidekiq last_used_at, thread_count and is_public not carried (derived, or no meaning here)']
  if (homeless.length)
    notes.push(
      `${homeless.length} sidekiqs of teams not imported placed in their owner's workspace (${homeless.join(', ')})`,
    )
  if (teamEdit)
    notes.push(
      `can_team_edit of ${teamEdit} team sidekiqs not carried: here owners and admins edit any sidekiq, members their own (decision 013)`,
    )
  if (startersCut)
    notes.push(
      `${startersCut} sidekiqs had more than ${MAX_CONVERSATION_STARTERS} conversation starters; the first ${MAX_CONVERSATION_STARTERS} kept`,
    )
  if (unknownModel)
    notes.push(`${unknownModel} sidekiqs name a model the catalog lacks: given ${CATALOG_DEFAULT_MODEL}`)
  if (cut) notes.push(`${cut} sidekiq names, descriptions or instructions cut to our length limits`)
  return { sidekiqs, skipped, notes }
}
