import { afterAll, beforeAll, expect, test } from 'vitest'
import { createHarness, signUp, type Harness } from './helpers/harness'

let h: Harness
beforeAll(async () => {
  h = await createHarness()
})
afterAll(() => h?.close())

test('smoke', async () => {
  const a = await signUp(h, 'Alice')
  const list = await a.get('/api/auth/organization/list')
  console.log(list)
  const session = await a.get('/api/auth/get-session')
  console.log(session.body.session)
  const mine = await a.get('/api/workspaces')
  console.log(mine.body)
  const created = await a.post('/api/auth/organization/create', { name: 'Acme', slug: 'acme' })
  console.log(created)
  const bad = await a.post('/api/auth/organization/create', { name: '', slug: 'A B' })
  console.log(JSON.stringify(bad))
  const inv = await a.post('/api/auth/organization/invite-member', { email: 'b@example.test', role: 'member', organizationId: created.body.id })
  console.log(inv)
  expect(1).toBe(1)
})
