import { AppError } from '../../shared/errors'
import { ApiError } from './api'

/** A file picked for import, read and checked in the browser with the server's own schema. */
export interface CheckedFile<T> {
  /** The JSON as read, sent as it is: the server parses it again. */
  raw: unknown
  parsed: T
}

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`

/**
 * Reads an export file and checks it before anything is uploaded, so a
 * wrong or damaged file is named at once. Throws `AppError` (with the
 * offending fields, as the server would answer) when it is too big, not
 * JSON, or not a file `parse` accepts.
 */
export async function readExportFile<T>(
  file: File,
  maxBytes: number,
  parse: (input: unknown) => T,
): Promise<CheckedFile<T>> {
  if (file.size > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `This file is larger than ${size(maxBytes)}`)
  let raw: unknown
  try {
    raw = JSON.parse(await file.text())
  } catch {
    throw new AppError('BAD_REQUEST', 'This file is not an export: it is not JSON')
  }
  return { raw, parsed: parse(raw) }
}

/** A refused file, in one line for a person: the reason, or the first fields named. */
export function describeFileError(error: unknown): string {
  const known = error instanceof AppError || error instanceof ApiError ? error : null
  if (!known) return error instanceof Error ? error.message : 'The file could not be read'
  const fields = Object.entries(known.fields ?? {})
  // Size and version refusals say it best in their message; a bad field is named by its path.
  if (!fields.length || known.code === 'PAYLOAD_TOO_LARGE' || known.fields?.version) return known.message
  const named = fields.slice(0, 3).map(([k, v]) => (k === '_' ? v : `${k}: ${v}`))
  return `This file cannot be imported (${named.join('; ')}${fields.length > 3 ? '; …' : ''})`
}
