import { APIError } from 'better-auth/api'
import { type AppError } from '../../shared/errors'

const STATUS_NAMES = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  500: 'INTERNAL_SERVER_ERROR',
} as const

/** Turns a domain error into better-auth's error, keeping our code and fields in the body. */
export function toAPIError(error: AppError): APIError {
  const status = STATUS_NAMES[error.status as keyof typeof STATUS_NAMES] ?? 'INTERNAL_SERVER_ERROR'
  return new APIError(status, {
    code: error.code,
    message: error.message,
    ...(error.fields ? { fields: error.fields } : {}),
  })
}
