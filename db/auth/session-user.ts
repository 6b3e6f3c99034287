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
  const context = auth.$context
  const sessionRead = db
    .select({ userId: session.userId, expiresAt: session.expiresAt })
    .from(session)
    .where(eq(session.token, sql.placeholder('token')))
    .limit(1)
    .prepare('session_user')
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
    let sessionToken: string | null = null
    if (token) {
      const decoded = decode(token)
      sessionToken = decoded.includes('.') ? verified(decoded, ctx.secret) : decoded
    } else if (cookie) {
      const value = parseCookies(cookie).get(ctx.authCookies.sessionToken.name)
      if (value) sessionToken = verified(value, ctx.secret)
    }
    if (!sessionToken) return null
    const [found] = await sessionRead.execute({ token: sessionToken })
    return found && found.expiresAt.getTime() > Date.now() ? found.userId : null
  }
}
