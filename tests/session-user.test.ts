import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createSessionUserResolver, type SessionUserResolver } from '../db/auth/session-user'
import { session } from '../db/schema'
import { createHarness, signUp, type Harness, type TestClient } from './helpers/harness'

let h: Harness
let resolve: SessionUserResolver
let alice: TestClient
/** Alice's session cookie value as the browser holds it: `token.signature`, URI-encoded. */
let signed: string

beforeAll(async () => {
  h = await createHarness()
  resolve = createSessionUserResolver(h.auth, h.db)
  alice = await signUp(h, 'Alice')
  signed = /workspaces\.session_token=([^;]+)/.exec(alice.cookie)![1]
})
afterAll(() => h.close())

const raw = () => decodeURIComponent(signed).split('.')[0]

describe('the session check used by websocket upgrades', () => {
  test('accepts the session cookie a browser sends, among other cookies', async () => {
    expect(await resolve({ cookie: `theme=dark; workspaces.session_token=${signed}; x=1` })).toBe(alice.user!.id)
  })

  test('accepts the token signed (as the cookie holds it) or raw (as the bearer plugin does)', async () => {
    expect(await resolve({ token: signed })).toBe(alice.user!.id)
    expect(await resolve({ token: decodeURIComponent(signed) })).toBe(alice.user!.id)
    expect(await resolve({ token: raw() })).toBe(alice.user!.id)
  })

  test('refuses a cookie whose signature does not match, or that is unsigned', async () => {
    const [token, signature] = decodeURIComponent(signed).split('.')
    const forged = `${token}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`
    expect(await resolve({ cookie: `workspaces.session_token=${encodeURIComponent(forged)}` })).toBeNull()
    expect(await resolve({ token: forged })).toBeNull()
    expect(await resolve({ cookie: `workspaces.session_token=${token}` })).toBeNull()
  })

  test('refuses unknown tokens, other cookies, and nothing at all', async () => {
    expect(await resolve({ token: 'no-such-session' })).toBeNull()
    expect(await resolve({ cookie: `other.session_token=${signed}` })).toBeNull()
    expect(await resolve({})).toBeNull()
  })

  test('refuses an expired session, and a signed-out one', async () => {
    const bob = await signUp(h, 'Bob')
    const bobToken = /workspaces\.session_token=([^;]+)/.exec(bob.cookie)![1]
    expect(await resolve({ token: bobToken })).toBe(bob.user!.id)
    await h.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(session.userId, bob.user!.id))
    expect(await resolve({ token: bobToken })).toBeNull()

    const carol = await signUp(h, 'Carol')
    const carolToken = /workspaces\.session_token=([^;]+)/.exec(carol.cookie)![1]
    expect((await carol.post('/api/auth/sign-out', {})).status).toBe(200)
    expect(await resolve({ token: carolToken })).toBeNull()
  })
})
