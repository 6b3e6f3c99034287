import { conflictFromDatabaseError } from '../../../db/errors'
import { AppError } from '../../../shared/errors'

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } })
}

/** Maps any thrown value to a typed JSON error; only unexpected errors become 500 (and are logged). */
export function errorResponse(error: unknown): Response {
  const known = error instanceof AppError ? error : conflictFromDatabaseError(error)
  if (known) return json(known.toJSON(), known.status)
  console.error('[api] unexpected error', error)
  return json(new AppError('INTERNAL', 'Something went wrong').toJSON(), 500)
}

/** Reads a JSON body; a malformed one is a 400, not a crash. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text()
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new AppError('BAD_REQUEST', 'Body must be JSON', { _: 'Malformed JSON' })
  }
}
