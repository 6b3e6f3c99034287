import { createHmac, timingSafeEqual } from 'node:crypto'
import { parseCookies } from 'better-call'
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { session } from '../schema'
import type { Auth } from './auth'

/** Who is asking: the session cookie a browser sends, or a token a non-browser client passes. */
export interface SessionCredentials {
  cookie?: string
  token?: string | null
}

export type SessionUserResolver = (credentials: SessionCredentials) => Promise<string | null>

const decode = (value: string) => {
  try {
    return value.includes('%') ? decodeURIComponent(value) : value
  } catch {
    return value
  }
}

/**
 * A read-only session check for websocket upgrades: better-auth's secret and
 * cookie name, and one indexed read of its session table, without running a
 * whole auth endpoint. `auth.api.getSession` costs about 1.7 ms of CPU per
 * call, most of it request plumbing; a node accepting thousands of
 * connections spent seconds in it (docs/decisions/009). The rules are the
 * same: a signed cookie (or bearer token, signed or raw, as the bearer plugin
 * accepts) naming an unexpired session. Sessions are refreshed by HTTP
 * requests, never here.
 */
export function createSessionUserResolver(auth: Auth, db: Db): SessionUserResolver {
  const readToken = createSessionTokenReader(auth)
  const sessionRead = db
    .select({ userId: session.userId, expiresAt: session.expiresAt })
    .from(session)
    .where(eq(session.token, sql.placeholder('token')))
    .limit(1)
    .prepare('session_user')
  return async (credentials) => {
    const sessionToken = await readToken(credentials)
    if (!sessionToken) return null
    const [found] = await sessionRead.execute({ token: sessionToken })
    return found && found.expiresAt.getTime() > Date.now() ? found.userId : null
  }
}

/**
 * The session token the credentials carry, once its signature is checked;
 * null when they carry none or a forged one. It still has to name an
 * unexpired session: the caller reads that, alone (above) or together with
 * what it needs next (authorizeSessionRoom in db/access.ts).
 */
export function createSessionTokenReader(auth: Auth): (credentials: SessionCredentials) => Promise<string | null> {
  const context = auth.$context
  const verified = (signed: string, secret: string): string | null => {
    const dot = signed.lastIndexOf('.')
    if (dot < 1) return null
    const value = signed.slice(0, dot)
    const given = Buffer.from(signed.slice(dot + 1), 'base64')
    const expected = createHmac('sha256', secret).update(value).digest()
    return given.length === expected.length && timingSafeEqual(given, expected) ? value : null
  }
  return async ({ cookie, token }) => {
    const ctx = await context
    if (token) {
      const decoded = decode(token)
      return decoded.includes('.') ? verified(decoded, ctx.secret) : decoded
    }
    if (!cookie) return null
    const value = parseCookies(cookie).get(ctx.authCookies.sessionToken.name)
    return value ? verified(value, ctx.secret) : null
  }
}
