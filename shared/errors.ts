/**
 * One error type for the whole app. Domain code throws `AppError` with a
 * code; only the edges (HTTP routes, better-auth hooks, the websocket server)
 * turn a code into a status or close code.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  /** Also used for "exists but you may not see it", so existence never leaks. */
  NOT_FOUND: 404,
  CONFLICT: 409,
  /** The request names edits the server's copy of the room does not hold yet; sent again, it succeeds. */
  NOT_SYNCED: 409,
  GONE: 410,
  /** A request body past the endpoint's size limit. */
  PAYLOAD_TOO_LARGE: 413,
  LIMIT_REACHED: 403,
  /** The workspace's model budget for this period is spent (or reserved by calls in flight). */
  QUOTA_EXCEEDED: 402,
  /** Too many requests from one member in a short time. */
  RATE_LIMITED: 429,
  INTERNAL: 500,
  /** A feature this server was not configured for (billing without Stripe keys). */
  NOT_CONFIGURED: 501,
  /** A service we depend on (Stripe) failed or could not be reached; try again. */
  UPSTREAM_FAILED: 502,
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export type FieldErrors = Record<string, string>

export class AppError extends Error {
  readonly code: ErrorCode
  readonly fields?: FieldErrors

  constructor(code: ErrorCode, message: string, fields?: FieldErrors) {
    super(message)
    this.name = 'AppError'
    this.code = code
    this.fields = fields
  }

  get status(): number {
    return ERROR_CODES[this.code]
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) }
  }
}

/**
 * The JSON shape of every error response, flat as better-auth's own errors
 * under /api/auth are, so one client reads both halves of the API alike.
 */
export interface ErrorBody {
  code: ErrorCode
  message: string
  fields?: FieldErrors
}

/** The generic refusal for anything the caller may not know exists. */
export function notFound(what = 'Workspace'): AppError {
  return new AppError('NOT_FOUND', `${what} not found`)
}
