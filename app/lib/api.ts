import type { ErrorCode, FieldErrors } from '../../shared/errors'

/** An error answered by the server, with its code and offending fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | string,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message)
  }
}

/**
 * The browser's one way to call the server's HTTP API (better-auth under
 * /api/auth and our routes under /api). Same-origin, cookies included.
 */
export async function api<T = unknown>(path: string, body?: unknown, method?: 'GET' | 'POST'): Promise<T> {
  const res = await fetch(path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  const data = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  if (!res.ok) {
    throw new ApiError(
      res.status,
      String(data.code ?? res.status),
      String(data.message ?? res.statusText ?? 'Request failed'),
      data.fields as FieldErrors | undefined,
    )
  }
  return data as T
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message
  if (error instanceof Error) return error.message
  return 'Something went wrong'
}
