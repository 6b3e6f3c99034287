import type { IncomingMessage } from 'node:http'
import { fromNodeHeaders } from 'better-auth/node'
import type { Auth } from '../db/auth'

/**
 * The user behind an upgrade request: the better-auth session cookie, or a
 * session token in `?token=` for clients that cannot send cookies (read as a
 * bearer token by better-auth, so expiry and revocation rules are the same).
 */
export async function authenticateUpgrade(auth: Auth, req: IncomingMessage, url: URL): Promise<string | null> {
  const headers = fromNodeHeaders(req.headers)
  const token = url.searchParams.get('token')
  if (token) headers.set('authorization', `Bearer ${token}`)
  try {
    const session = await auth.api.getSession({ headers, query: { disableCookieCache: true } })
    return session?.user.id ?? null
  } catch {
    return null
  }
}
