import { z } from 'zod'
import { chatRecord, sidekiqRecord } from '../doc/records'
import { AppError } from '../errors'
import { findModel, modelIdInput } from '../models'
import { parseInput } from '../validation'
import { email, workspaceName, workspaceRole } from './workspace'

/**
 * The export files: a whole workspace, or one sidekiq, as JSON. Shared so
 * the browser checks a file with the very schema the server applies before
 * uploading it. Each file names its format and the version of that format;
 * a reader refuses a format it does not know and a version newer than its
 * own (it cannot know what the newer fields mean), and reads older ones.
 */

export const WORKSPACE_FILE_FORMAT = 'workspaces.workspace'
export const SIDEKIQ_FILE_FORMAT = 'workspaces.sidekiq'
/** The version this code writes and the newest it reads. */
export const EXPORT_FILE_VERSION = 1

/**
 * Largest workspace file accepted, bytes. A room holds at most 32 MB (the
 * sync server's document limit) and the JSON of its chats is about the size
 * of their Yjs state, so a file past this could not become a room anyone
 * can edit; it also bounds the memory one upload takes (the text, its
 * parse and two documents).
 */
export const MAX_WORKSPACE_FILE_BYTES = 32 * 1024 * 1024

/** Largest sidekiq file accepted, bytes: a sidekiq's fields are at most about 25,000 characters. */
export const MAX_SIDEKIQ_FILE_BYTES = 256 * 1024

/** Members a file may list: the largest plan's member limit, with room to spare. */
export const MAX_EXPORTED_MEMBERS = 1000

const exportedAt = z.iso.datetime({ offset: true, message: 'Use an ISO timestamp' })

/** A model id this server knows, as the workspace's default model setting accepts. */
const knownModelId = modelIdInput.refine((id) => findModel(id) !== null, 'Unknown model')

/** The settings a person chose for the workspace (no ids, slug, plan or billing: the new workspace has its own). */
export const exportedSettings = z.strictObject({
  name: workspaceName,
  defaultModel: knownModelId.nullable(),
})

/** Who was in the workspace. Only a listing: an import invites them, it never makes them members. */
export const exportedMember = z.strictObject({
  email,
  name: z.string().max(200),
  role: workspaceRole,
})

/** Refuses a second entry with the same key, naming where it is. */
function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>()
    items.forEach((item, i) => {
      const k = key(item)
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `Repeats ${what}` })
      seen.add(k)
    })
  }
}

const chats = z.array(chatRecord).superRefine(unique((c) => c.id, 'a chat id'))

/** A whole workspace. */
export const workspaceFile = z.strictObject({
  format: z.literal(WORKSPACE_FILE_FORMAT),
  version: z.literal(EXPORT_FILE_VERSION),
  exportedAt,
  workspace: exportedSettings,
  members: z
    .array(exportedMember)
    .max(MAX_EXPORTED_MEMBERS)
    .superRefine(unique((m) => m.email, 'an email')),
  sidekiqs: z.array(sidekiqRecord).superRefine(unique((s) => s.id, 'a sidekiq id')),
  /** The shared room's chats. */
  sharedChats: chats,
  /** The exporting owner's own private chats; never anyone else's. */
  privateChats: chats,
})

export type WorkspaceFile = z.output<typeof workspaceFile>

/** One sidekiq. */
export const sidekiqFile = z.strictObject({
  format: z.literal(SIDEKIQ_FILE_FORMAT),
  version: z.literal(EXPORT_FILE_VERSION),
  exportedAt,
  sidekiq: sidekiqRecord,
})

export type SidekiqFile = z.output<typeof sidekiqFile>

/**
 * Checks format and version before the body, so a file of another kind or
 * from a newer version is refused for that reason rather than for the
 * fields it happens to lack.
 */
function requireFormat(input: unknown, format: string, what: string) {
  const header = parseInput(
    z.object({
      format: z.literal(format, { message: `Not ${what} (expected format "${format}")` }),
      version: z.number({ message: 'Required: the file format version' }).int().min(1),
    }),
    input,
  )
  if (header.version > EXPORT_FILE_VERSION) {
    throw new AppError(
      'BAD_REQUEST',
      `This file was made by a newer version of Workspaces (format version ${header.version}; this server reads up to ${EXPORT_FILE_VERSION})`,
      { version: `Newer than ${EXPORT_FILE_VERSION}` },
    )
  }
}

/** Parses a workspace file or throws a 400 `AppError` naming what is wrong. */
export function parseWorkspaceFile(input: unknown): WorkspaceFile {
  requireFormat(input, WORKSPACE_FILE_FORMAT, 'a workspace file')
  return parseInput(workspaceFile, input)
}

/** Parses a sidekiq file or throws a 400 `AppError` naming what is wrong. */
export function parseSidekiqFile(input: unknown): SidekiqFile {
  requireFormat(input, SIDEKIQ_FILE_FORMAT, 'a sidekiq file')
  return parseInput(sidekiqFile, input)
}

/** A file name for an export: `<name>-<YYYY-MM-DD>.<kind>.json`, safe in a Content-Disposition header. */
export function exportFileName(name: string, kind: 'workspace' | 'sidekiq', at: Date): string {
  const safe =
    name
      .normalize('NFKD')
      .replace(/[^\w-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || kind
  return `${safe}-${at.toISOString().slice(0, 10)}.${kind}.json`
}
