import { z } from 'zod'

/**
 * Rows of the team-based app's database, as postgres-js returns them. Each
 * row is checked on its own: a row that does not fit is reported and
 * skipped, it does not stop the import. Unknown columns are dropped.
 */

const id = z.string().min(1)
const date = z.date()
/** int8 columns come back as strings. */
const count = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)])
const text = z.string()

/** The columns the import reads, per table: a source lacking one is not a legacy database. */
export const LEGACY_COLUMNS = {
  user: ['id', 'name', 'email', 'email_verified', 'image', 'created_at', 'updated_at', 'preferences'],
  account: ['id', 'account_id', 'provider_id', 'user_id', 'password', 'created_at', 'updated_at'],
  session: ['id'],
  verification: ['id'],
  team: ['id', 'name', 'owner_id', 'avatar', 'member_limit', 'created_at', 'updated_at'],
  team_member: ['team_id', 'user_id', 'role', 'joined_at'],
  team_invite: ['id', 'team_id', 'email', 'token', 'role', 'accepted_at', 'rejected_at', 'expires_at', 'created_at'],
  sidekiq: [
    'id',
    'owner_id',
    'team_id',
    'name',
    'description',
    'instructions',
    'conversation_starters',
    'default_model',
    'avatar',
    'is_favorite',
    'can_team_edit',
    'created_at',
    'updated_at',
  ],
  thread: [
    'id',
    'user_id',
    'sidekiq_id',
    'deleted_sidekiq_name',
    'title',
    'active_model',
    'is_pinned',
    'is_archived',
    'last_activity_at',
    'created_at',
    'updated_at',
  ],
  message: [
    'id',
    'thread_id',
    'parent_message_id',
    'role',
    'content',
    'model',
    'input_tokens',
    'output_tokens',
    'created_at',
  ],
} as const

export type LegacyTable = keyof typeof LEGACY_COLUMNS

export const legacyUser = z.object({
  id,
  name: text,
  email: z.string().trim().min(3),
  email_verified: z.boolean(),
  image: text.nullable(),
  created_at: date,
  updated_at: date,
  preferences: z
    .object({ defaultModel: z.string().nullish(), favoriteModels: z.array(z.unknown()).nullish() })
    .nullish()
    .catch(null),
})
export type LegacyUser = z.output<typeof legacyUser>

export const legacyAccount = z.object({
  id,
  account_id: text,
  provider_id: text,
  user_id: id,
  access_token: text.nullish(),
  refresh_token: text.nullish(),
  id_token: text.nullish(),
  access_token_expires_at: date.nullish(),
  refresh_token_expires_at: date.nullish(),
  scope: text.nullish(),
  password: text.nullable(),
  created_at: date,
  updated_at: date,
})
export type LegacyAccount = z.output<typeof legacyAccount>

export const legacyTeam = z.object({
  id,
  name: text,
  owner_id: id,
  avatar: z.unknown(),
  member_limit: count.nullable(),
  created_at: date,
  updated_at: date,
})
export type LegacyTeam = z.output<typeof legacyTeam>

export const LEGACY_ROLES = ['owner', 'admin', 'member'] as const
export type LegacyRole = (typeof LEGACY_ROLES)[number]

export const legacyTeamMember = z.object({
  team_id: id,
  user_id: id,
  role: z.enum(LEGACY_ROLES),
  joined_at: date,
})
export type LegacyTeamMember = z.output<typeof legacyTeamMember>

export const legacyTeamInvite = z.object({
  id,
  team_id: id,
  email: z.string().trim().min(3),
  token: z.string().min(1),
  role: z.enum(LEGACY_ROLES),
  accepted_at: date.nullable(),
  rejected_at: date.nullable(),
  expires_at: date,
  created_at: date,
})
export type LegacyTeamInvite = z.output<typeof legacyTeamInvite>

export const legacySidekiq = z.object({
  id,
  owner_id: id,
  team_id: id.nullable(),
  name: text,
  description: text.nullable(),
  instructions: text.nullable(),
  conversation_starters: z.unknown(),
  default_model: text.nullable(),
  avatar: z.unknown(),
  is_favorite: z.boolean().nullable(),
  can_team_edit: z.boolean().nullable(),
  created_at: date,
  updated_at: date,
})
export type LegacySidekiq = z.output<typeof legacySidekiq>

export const legacyThread = z.object({
  id,
  user_id: id,
  sidekiq_id: id.nullable(),
  deleted_sidekiq_name: text.nullable(),
  title: text.nullable(),
  active_model: text.nullable(),
  is_pinned: z.boolean().nullable(),
  is_archived: z.boolean().nullable(),
  last_activity_at: date.nullable(),
  created_at: date,
  updated_at: date,
})
export type LegacyThread = z.output<typeof legacyThread>

export const legacyMessage = z.object({
  id,
  thread_id: id,
  parent_message_id: id.nullable(),
  role: z.enum(['user', 'assistant', 'system']),
  content: text,
  model: text.nullable(),
  input_tokens: count.nullable(),
  output_tokens: count.nullable(),
  created_at: date,
})
export type LegacyMessage = z.output<typeof legacyMessage>
