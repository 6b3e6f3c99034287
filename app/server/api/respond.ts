import { conflictFromDatabaseError } from '../../../db/errors'
import { AppError } from '../../../shared/errors'

export function json(body: unknown, status = 200, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } })
}

/** A JSON download: the browser saves it as `fileName` (kept to letters, digits, "-", "_" and "." by the caller). */
export function jsonAttachment(body: unknown, fileName: string, opts: { pretty?: boolean } = {}): Response {
  return new Response(JSON.stringify(body, null, opts.pretty ? 2 : undefined), {
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${fileName}"`,
      'cache-control': 'no-store',
    },
  })
}

/** Maps any thrown value to a typed JSON error; only unexpected errors become 500 (and are logged). */
export function errorResponse(error: unknown): Response {
  const known = error instanceof AppError ? error : conflictFromDatabaseError(error)
  if (known) return json(known.toJSON(), known.status)
  console.error('[api] unexpected error', error)
  return json(new AppError('INTERNAL', 'Something went wrong').toJSON(), 500)
}

/** What a JSON body may weigh unless the route allows more: every request body of ours is small. */
export const MAX_JSON_BYTES = 1024 * 1024

/**
 * Reads a JSON body of at most `maxBytes`; a malformed one is a 400 and a
 * bigger one a 413, not a crash. The body is read as a stream and cut off at
 * the limit, as a client may send no length, or a false one.
 */
export async function readJson(request: Request, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  const text = await readText(request, maxBytes)
  if (!text) return {}
  try {
    return JSON.parse(text)
  } catch {
    throw new AppError('BAD_REQUEST', 'Body must be JSON', { _: 'Malformed JSON' })
  }
}

async function readText(request: Request, maxBytes: number): Promise<string> {
  const tooLarge = () =>
    new AppError('PAYLOAD_TOO_LARGE', `The request body is larger than ${describeBytes(maxBytes)}`, {
      _: `At most ${describeBytes(maxBytes)}`,
    })
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge()
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`
}
