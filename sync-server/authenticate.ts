import type { IncomingMessage } from 'node:http'
import type { SessionUserResolver } from '../db/auth/session-user'

/**
 * The user behind an upgrade request: the better-auth session cookie, or a
 * session token in `?token=` for clients that cannot send cookies (checked
 * by the same rules as a bearer token).
 */
export async function authenticateUpgrade(
  resolveUser: SessionUserResolver,
  req: IncomingMessage,
  url: URL,
): Promise<string | null> {
  try {
    return await resolveUser({ cookie: req.headers.cookie, token: url.searchParams.get('token') })
  } catch {
    return null
  }
}
