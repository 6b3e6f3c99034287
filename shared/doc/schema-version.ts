import type * as Y from 'yjs'
import { MIGRATION_ORIGIN } from './origin'

/** Root `Y.Map` for facts about the doc itself. */
export const META_KEY = 'meta'
const SCHEMA_VERSION = 'schemaVersion'

/** One step of the doc's schema: entry `i` of a migration list brings a doc from version `i` to `i + 1`. */
export interface Migration {
  /** What the step changes, for the migration report and logs. */
  readonly description: string
  /** Rewrites the doc in place; runs inside the migration transaction. */
  readonly up: (doc: Y.Doc) => void
}

/**
 * The doc's migrations, oldest first. Version 2 is one more entry here.
 *
 * Two peers can run the same step at once on copies of one doc (an offline
 * client and the server), and Yjs merges both results, so every step must be
 * convergent: set keys to values computed from the old state rather than
 * insert into arrays or add to counters, and never throw halfway (Yjs does not
 * roll a transaction back, so a half-run step would stay in the doc).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    description: 'Initial layout: chats and sidekiqs root maps',
    // Root types come into being on first use, so the first version has
    // nothing to rewrite; the stamp alone says the doc follows this layout.
    up: () => {},
  },
]

/** The version this code reads and writes. */
export const CURRENT_SCHEMA_VERSION = MIGRATIONS.length

/** What `migrateDoc` found and did. */
export type MigrationReport =
  | { readonly status: 'current'; readonly version: number }
  | { readonly status: 'migrated'; readonly from: number; readonly to: number; readonly applied: readonly string[] }
  /** Written by a newer app: left alone, since this code cannot know what the newer layout means. */
  | { readonly status: 'newer'; readonly version: number; readonly supported: number }
  /** The stored version is not a version at all: left alone for a person to look at. */
  | { readonly status: 'invalid'; readonly stored: unknown }

function isVersion(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
}

/** The doc's stored schema version; `null` when it has none or the stored value is not a version. */
export function getSchemaVersion(doc: Y.Doc): number | null {
  const stored = doc.getMap<unknown>(META_KEY).get(SCHEMA_VERSION)
  return isVersion(stored) ? stored : null
}

/**
 * Brings the doc to `CURRENT_SCHEMA_VERSION`: applies the missing migrations
 * in order and stamps the new version, all in one transaction with the
 * migration origin, so peers receive one update. A doc without a version is
 * treated as version 0.
 *
 * Run it where the whole doc is present (the sync server, after loading a
 * room and before serving it). A client must not migrate a doc it has not
 * synced yet: an empty replica would stamp a version over content it has not
 * seen, and its concurrent stamp could win over a newer one.
 */
export function migrateDoc(doc: Y.Doc): MigrationReport {
  return applyMigrations(doc, MIGRATIONS)
}

/**
 * The engine behind `migrateDoc`, taking the migration list, so the
 * framework can be tested with more steps than the app has today.
 */
export function applyMigrations(doc: Y.Doc, migrations: readonly Migration[]): MigrationReport {
  const meta = doc.getMap<unknown>(META_KEY)
  const stored = meta.get(SCHEMA_VERSION)
  const target = migrations.length
  if (stored !== undefined && !isVersion(stored)) return { status: 'invalid', stored }
  const from = stored ?? 0
  if (from > target) return { status: 'newer', version: from, supported: target }
  if (from === target) return { status: 'current', version: from }

  const pending = migrations.slice(from)
  doc.transact(() => {
    for (const step of pending) step.up(doc)
    meta.set(SCHEMA_VERSION, target)
  }, MIGRATION_ORIGIN)
  return { status: 'migrated', from, to: target, applied: pending.map((m) => m.description) }
}
