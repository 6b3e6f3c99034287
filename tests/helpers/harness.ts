import { randomBytes } from 'node:crypto'
import { createAuth } from '../../db/auth/auth'
import { parseEnv, type ServerEnv } from '../../db/env'
import { createRevocationBus, type RevocationBus } from '../../db/revocations'
import { createApiHandler } from '../../app/server/api/router'
import type { ApiContext } from '../../app/server/api/context'
import { createTestDatabase } from './database'

export const BASE_URL = 'http://localhost:3999'

/**
 * The app's whole HTTP API (better-auth plus our routes) in-process, over a
 * real database built by the real migrations. Requests go through the same
 * handler the server mounts.
 */
export async function createHarness(
  overrides: Partial<ServerEnv> = {},
  revocations: RevocationBus = createRevocationBus(),
) {
  const database = await createTestDatabase()
  const env: ServerEnv = {
    ...parseEnv({ NODE_ENV: 'test', BETTER_AUTH_SECRET: randomBytes(24).toString('hex'), BETTER_AUTH_URL: BASE_URL }),
    ...overrides,
  }
  const auth = createAuth(database.db, env, revocations)
  // Mutable on purpose: a test that runs a sync node adds `ai` once the node is up.
  const context: ApiContext = { db: database.db, auth, env, revocations }
  const api = createApiHandler(context)
  const fetchApi = async (path: string, init: RequestInit = {}) => {
    const res = await api(new Request(new URL(path, BASE_URL), init))
    if (!res) throw new Error(`no handler for ${path}`)
    return res
  }
  return { db: database.db, database, auth, env, revocations, context, fetchApi, close: () => database.close() }
}

export type Harness = Awaited<ReturnType<typeof createHarness>>

export interface ApiResult<T = any> {
  status: number
  body: T
}

/** A signed-in (or anonymous) user with a cookie jar, speaking JSON. */
export class TestClient {
  cookie = ''
  user: { id: string; email: string; name: string } | null = null

  constructor(private readonly h: Harness) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers = new Headers({ origin: BASE_URL })
    if (this.cookie) headers.set('cookie', this.cookie)
    if (body !== undefined) headers.set('content-type', 'application/json')
    const res = await this.h.fetchApi(path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const setCookies = res.headers.getSetCookie()
    if (setCookies.length) {
      const jar = new Map(
        this.cookie
          .split('; ')
          .filter(Boolean)
          .map((c) => [c.split('=')[0], c] as const),
      )
      for (const c of setCookies) {
        const pair = c.split(';')[0]
        const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
        if (value) jar.set(name, pair)
        else jar.delete(name)
      }
      this.cookie = [...jar.values()].join('; ')
    }
    const text = await res.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      /* non-JSON body stays text */
    }
    return { status: res.status, body: parsed as T }
  }

  get = <T = any>(path: string) => this.request<T>('GET', path)
  post = <T = any>(path: string, body: unknown = {}) => this.request<T>('POST', path, body)
}

let counter = 0
/** Signs up a new user and returns their client; the email is unique per call. */
export async function signUp(h: Harness, name = 'User'): Promise<TestClient> {
  const client = new TestClient(h)
  const email = `${name.toLowerCase().replace(/\W+/g, '')}-${Date.now().toString(36)}-${counter++}@example.test`
  const res = await client.post('/api/auth/sign-up/email', { name, email, password: 'correct horse battery' })
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`)
  client.user = res.body.user
  return client
}
