import { z } from 'zod'
import { ASSIGNABLE_ROLES, WORKSPACE_ROLES } from '../roles'

/** Slugs that would shadow app routes or read as official. */
const RESERVED_SLUGS = new Set(['api', 'admin', 'new', 'settings', 'sync', 'w', 'invite', 'sign-in', 'sign-up', 'dev'])

/**
 * Personal workspaces get `personal-<12 hex>` at sign-up; nobody may choose
 * a slug under that prefix, so no one can take a future user's slug.
 */
export const PERSONAL_SLUG_PREFIX = 'personal-'

/** The shape of any existing slug, personal ones included (for lookups). */
export const anyWorkspaceSlug = z
  .string()
  .trim()
  .min(3, 'Slug must be at least 3 characters')
  .max(48, 'Slug must be at most 48 characters')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lowercase letters, digits and single hyphens')

/** A slug a person may choose when creating or renaming a workspace. */
export const workspaceSlug = anyWorkspaceSlug
  .refine((s) => !RESERVED_SLUGS.has(s), 'This slug is reserved')
  .refine((s) => !s.startsWith(PERSONAL_SLUG_PREFIX), `Slugs starting with "${PERSONAL_SLUG_PREFIX}" are reserved`)

export const workspaceName = z.string().trim().min(1, 'Name is required').max(80, 'Name must be at most 80 characters')

export const entityId = z.string().trim().min(1, 'Required').max(128, 'Too long')

export const workspaceRole = z.enum(WORKSPACE_ROLES, { message: `Role must be one of ${WORKSPACE_ROLES.join(', ')}` })
export const assignableRole = z.enum(ASSIGNABLE_ROLES, {
  message: `Role must be one of ${ASSIGNABLE_ROLES.join(', ')}`,
})

export const email = z
  .email('A valid email address is required')
  .max(254)
  .transform((e) => e.toLowerCase())

export const createWorkspaceInput = z.object({ name: workspaceName, slug: workspaceSlug })
export const updateWorkspaceInput = z
  .object({ name: workspaceName.optional(), slug: workspaceSlug.optional() })
  .refine((v) => v.name !== undefined || v.slug !== undefined, 'Nothing to update')

export const inviteInput = z.object({ email, role: assignableRole })
export const transferOwnershipInput = z.object({ memberId: entityId })

/** Turns a workspace name into a slug candidate ("Acme, Inc." -> "acme-inc"). */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '')
  return base.length >= 3 ? base : `${base || 'ws'}-${Math.random().toString(36).slice(2, 6)}`
}
