import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { authorizeRoom, authorizeSessionRoom } from '../db/access'
import { createSessionTokenReader, createSessionUserResolver, type SessionUserResolver } from '../db/auth/session-user'
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

describe('the session and a room in one read (authorizeSessionRoom, for AI answers)', () => {
  const personalRoom = async (client: TestClient) => {
    const { body } = await client.get('/api/workspaces')
    return `w/${body.workspaces.find((w: { isPersonal: boolean }) => w.isPersonal).id}`
  }

  test('gives the same access as authorizeRoom, with the default models', async () => {
    const token = await createSessionTokenReader(h.auth)({ cookie: alice.cookie })
    expect(token).toBe(raw())
    const room = await personalRoom(alice)
    const access = await authorizeSessionRoom(h.db, token!, room)
    const { defaultModels, ...rest } = access!
    expect(rest).toEqual(await authorizeRoom(h.db, alice.user!.id, room))
    expect(rest.role).toBe('owner')
    expect(defaultModels).toEqual({ member: null, workspace: null })
    const own = `${room}/u/${alice.user!.id}`
    expect((await authorizeSessionRoom(h.db, token!, own))?.room.kind).toBe('private')
  })

  test('refuses another workspace, and another member’s private room, as not found', async () => {
    const dave = await signUp(h, 'Dave')
    const davesRoom = await personalRoom(dave)
    await expect(authorizeSessionRoom(h.db, raw(), davesRoom)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(authorizeSessionRoom(h.db, raw(), `${davesRoom}/u/${dave.user!.id}`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
    await expect(authorizeSessionRoom(h.db, raw(), 'not-a-room')).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })

  test('is null for an unknown or expired session', async () => {
    const erin = await signUp(h, 'Erin')
    const room = await personalRoom(erin)
    const token = (await createSessionTokenReader(h.auth)({ cookie: erin.cookie }))!
    expect(await authorizeSessionRoom(h.db, token, room)).not.toBeNull()
    expect(await authorizeSessionRoom(h.db, 'no-such-session', room)).toBeNull()
    await h.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(session.userId, erin.user!.id))
    expect(await authorizeSessionRoom(h.db, token, room)).toBeNull()
  })
})
