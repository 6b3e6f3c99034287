import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, signUp, TestClient, type Harness } from './helpers/harness'

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h?.close())

describe('accounts', () => {
  test('sign-up signs in with a session cookie, sign-out ends it, sign-in starts a new one', async () => {
    const a = await signUp(h, 'Ada')
    expect((await a.get('/api/auth/get-session')).body.user.email).toBe(a.user!.email)

    expect((await a.post('/api/auth/sign-out', {})).status).toBe(200)
    expect((await a.get('/api/auth/get-session')).body).toBeNull()
    expect((await a.get('/api/workspaces')).status).toBe(401)

    const again = new TestClient(h)
    const res = await again.post('/api/auth/sign-in/email', { email: a.user!.email, password: 'correct horse battery' })
    expect(res.status).toBe(200)
    expect((await again.get('/api/workspaces')).body.workspaces).toHaveLength(1)
  })

  test('a wrong password is refused without saying whether the account exists', async () => {
    const a = await signUp(h, 'Bea')
    const wrong = await new TestClient(h).post('/api/auth/sign-in/email', {
      email: a.user!.email,
      password: 'not the password',
    })
    const unknown = await new TestClient(h).post('/api/auth/sign-in/email', {
      email: 'nobody@example.test',
      password: 'not the password',
    })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(unknown.body.code).toBe(wrong.body.code)
  })

  test('the same email cannot sign up twice', async () => {
    const a = await signUp(h, 'Cy')
    const dup = await new TestClient(h).post('/api/auth/sign-up/email', {
      name: 'Cy again',
      email: a.user!.email,
      password: 'correct horse battery',
    })
    expect(dup.status).toBeGreaterThanOrEqual(400)
    expect(dup.status).toBeLessThan(500)
  })

  test('password change needs the current password; afterwards only the new one signs in', async () => {
    const a = await signUp(h, 'Dee')
    const refused = await a.post('/api/auth/change-password', {
      currentPassword: 'wrong password',
      newPassword: 'a new long password',
    })
    expect(refused.status).toBe(400)

    const changed = await a.post('/api/auth/change-password', {
      currentPassword: 'correct horse battery',
      newPassword: 'a new long password',
    })
    expect(changed.status).toBe(200)

    const oldPassword = await new TestClient(h).post('/api/auth/sign-in/email', {
      email: a.user!.email,
      password: 'correct horse battery',
    })
    expect(oldPassword.status).toBe(401)
    const newPassword = await new TestClient(h).post('/api/auth/sign-in/email', {
      email: a.user!.email,
      password: 'a new long password',
    })
    expect(newPassword.status).toBe(200)
  })

  test('a too-short new password is a 400 naming the field', async () => {
    const a = await signUp(h, 'Eve')
    const res = await a.post('/api/auth/change-password', {
      currentPassword: 'correct horse battery',
      newPassword: 'short',
    })
    expect(res.status).toBe(400)
    expect(res.body.fields).toHaveProperty('newPassword')
  })

  test('a signed-in user starts every new session in their personal workspace', async () => {
    const a = await signUp(h, 'Fay')
    const acme = await a.post('/api/auth/organization/create', {
      name: 'Fay Co',
      slug: `fay-co-${Date.now().toString(36)}`,
    })
    expect((await a.post('/api/auth/organization/set-active', { organizationId: acme.body.id })).status).toBe(200)

    const later = new TestClient(h)
    await later.post('/api/auth/sign-in/email', { email: a.user!.email, password: 'correct horse battery' })
    const session = (await later.get('/api/auth/get-session')).body.session
    const personal = (await later.get('/api/workspaces')).body.workspaces.find(
      (w: { isPersonal: boolean }) => w.isPersonal,
    )
    expect(session.activeOrganizationId).toBe(personal.id)
  })
})
