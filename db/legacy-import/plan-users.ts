import type { LegacyAccount, LegacyUser } from './legacy-rows'
import { roomSafeId } from './ids'
import { catalogModel } from './models'
import type { Skipped } from './report'

/** A user of the target database the legacy users may meet (same id or same email). */
export interface TargetUser {
  id: string
  email: string
  emailVerified: boolean
}

export interface UserPlan {
  legacyId: string
  /** The id in the target: the legacy id (or one derived from it), or a matched person's own. */
  targetId: string
  /** Matched by verified email to someone who already has an account here. */
  matched: boolean
  name: string
  email: string
  emailVerified: boolean
  image: string | null
  createdAt: Date
  updatedAt: Date
  /** `preferences.defaultModel` as a catalog id, for the memberships the import creates. */
  defaultModel: string | null
}

export interface AccountPlan {
  id: string
  accountId: string
  providerId: string
  userId: string
  accessToken: string | null
  refreshToken: string | null
  idToken: string | null
  accessTokenExpiresAt: Date | null
  refreshTokenExpiresAt: Date | null
  scope: string | null
  password: string | null
  createdAt: Date
  updatedAt: Date
}

export interface UsersPlan {
  /** By legacy id; users absent here were skipped (their content too). */
  users: Map<string, UserPlan>
  accounts: AccountPlan[]
  skipped: Skipped[]
  notes: string[]
}

/** Emails are kept lowercase, as better-auth stores and looks them up. */
export const normalEmail = (email: string) => email.trim().toLowerCase()

/**
 * Who each legacy user becomes. A legacy id already here with the same
 * email is an earlier run's work. Someone here with the same email and
 * another id is the same person only when both sides verified the address;
 * otherwise anyone could claim another's account by registering their email
 * on either side, so that user is skipped and reported.
 */
export function planUsers(legacy: LegacyUser[], accounts: LegacyAccount[], existing: TargetUser[]): UsersPlan {
  const byId = new Map(existing.map((u) => [u.id, u]))
  const byEmail = new Map(existing.map((u) => [normalEmail(u.email), u]))
  const users = new Map<string, UserPlan>()
  const seenEmail = new Map<string, string>()
  const skipped: Skipped[] = []
  let unmappedModels = 0
  let favorites = 0
  for (const u of legacy) {
    const email = normalEmail(u.email)
    const skip = (reason: string) => skipped.push({ table: 'user', id: u.id, reason })
    const earlier = seenEmail.get(email)
    if (earlier) {
      skip(`same email as legacy user ${earlier} (skipped with their threads and sidekiqs)`)
      continue
    }
    seenEmail.set(email, u.id)
    let targetId = roomSafeId('user', u.id)
    let matched = false
    const sameId = byId.get(targetId)
    if (sameId && normalEmail(sameId.email) !== email) {
      skip('the id belongs to another account here (skipped with their threads and sidekiqs)')
      continue
    }
    const sameEmail = byEmail.get(email)
    if (!sameId && sameEmail) {
      if (!u.email_verified || !sameEmail.emailVerified) {
        skip('conflict: the email belongs to another account here and is not verified on both sides')
        continue
      }
      targetId = sameEmail.id
      matched = true
    }
    const wanted = u.preferences?.defaultModel ?? null
    const defaultModel = catalogModel(wanted)
    if (wanted && !defaultModel) unmappedModels++
    if (u.preferences?.favoriteModels?.length) favorites++
    users.set(u.id, {
      legacyId: u.id,
      targetId,
      matched,
      name: u.name.trim() || email.split('@')[0],
      email,
      emailVerified: u.email_verified,
      image: u.image,
      createdAt: u.created_at,
      updatedAt: u.updated_at,
      defaultModel,
    })
  }

  const planned: AccountPlan[] = []
  let ofMatched = 0
  for (const a of accounts) {
    const owner = users.get(a.user_id)
    if (!owner) {
      skipped.push({ table: 'account', id: a.id, reason: 'its user was not imported' })
      continue
    }
    // A matched person already signs in here; a second credential row would compete with theirs.
    if (owner.matched) {
      ofMatched++
      continue
    }
    planned.push({
      id: a.id,
      // better-auth's credential account names its user.
      accountId: a.provider_id === 'credential' && a.account_id === a.user_id ? owner.targetId : a.account_id,
      providerId: a.provider_id,
      userId: owner.targetId,
      accessToken: a.access_token ?? null,
      refreshToken: a.refresh_token ?? null,
      idToken: a.id_token ?? null,
      accessTokenExpiresAt: a.access_token_expires_at ?? null,
      refreshTokenExpiresAt: a.refresh_token_expires_at ?? null,
      scope: a.scope ?? null,
      password: a.password,
      createdAt: a.created_at,
      updatedAt: a.updated_at,
    })
  }

  const matchedCount = [...users.values()].filter((u) => u.matched).length
  const notes: string[] = []
  if (matchedCount)
    notes.push(
      `${matchedCount} users matched by verified email to existing accounts; their ${ofMatched} legacy sign-in accounts were not copied (they sign in as before here)`,
    )
  if (favorites) notes.push(`favoriteModels of ${favorites} users not carried: workspaces have no favourite models`)
  if (unmappedModels) notes.push(`defaultModel of ${unmappedModels} users not carried: not a model of the catalog`)
  return { users, accounts: planned, skipped, notes }
}
