import type { BrowserContext, Page } from 'playwright-core'
import { expect, test } from 'vitest'
import { appInBrowser } from './suite'
import { newWatchedContext } from './browser'
import { callAs, signUpThroughPage, syncStatus } from './people'

const app = appInBrowser()

const call = (context: BrowserContext, path: string, data: unknown) => callAs(context, app.server.baseURL, path, data)
const signUp = signUpThroughPage
const status = syncStatus
const localCopies = (page: Page) =>
  page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean))

/** Open sync connections on the server, from its metrics. */
async function openConnections(): Promise<number> {
  const text = await (await fetch(`${app.server.baseURL}/metrics`)).text()
  return Number(/^sync_connections (\d+)$/m.exec(text)?.[1] ?? NaN)
}

test('a workspace is kept on the device and live; switching closes the old one; removal clears it with a notice', async () => {
  const a = await newWatchedContext(app.browser, app.server.baseURL)
  const b = await newWatchedContext(app.browser, app.server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()

  await signUp(pageA, 'Alice')
  await expect.poll(() => status(pageA)).toBe('online')
  const before = await openConnections()

  const acme = await call(a.context, '/api/auth/organization/create', { name: 'Acme', slug: `acme-${Date.now()}` })
  await pageA.goto(`/w/${acme.slug}`)
  await expect.poll(() => status(pageA)).toBe('online')
  // The personal workspace's two rooms were closed when Acme's opened: the count is the same.
  await expect.poll(() => openConnections()).toBe(before)
  expect((await localCopies(pageA)).some((name) => name.endsWith(`:w/${acme.id}`))).toBe(true)

  // B joins Acme and opens it: B's device keeps Acme's shared room and B's private room there.
  const emailB = await signUp(pageB, 'Bob')
  const invitation = await call(a.context, '/api/auth/organization/invite-member', {
    organizationId: acme.id,
    email: emailB,
    role: 'member',
  })
  await call(b.context, '/api/auth/organization/accept-invitation', { invitationId: invitation.id })
  await pageB.goto(`/w/${acme.slug}`)
  await expect.poll(() => status(pageB)).toBe('online')
  await expect.poll(async () => (await localCopies(pageB)).filter((n) => n.includes(`:w/${acme.id}`)).length).toBe(2)

  // Offline: the indicator says so, and says it again when the network is back.
  await b.context.setOffline(true)
  await expect.poll(() => status(pageB), { timeout: 15_000 }).toBe('offline')
  await b.context.setOffline(false)
  await expect.poll(() => status(pageB), { timeout: 15_000 }).toBe('online')

  // A removes B: B's open tab says so within seconds, and B's copy of Acme is gone from the device.
  await call(a.context, '/api/auth/organization/remove-member', { organizationId: acme.id, memberIdOrEmail: emailB })
  await pageB.getByTestId('access-ended').waitFor({ timeout: 5_000 })
  await expect.poll(async () => (await localCopies(pageB)).filter((n) => n.includes(`:w/${acme.id}`))).toEqual([])
  // Nor does the sidebar's kept list of its chats stay behind.
  expect(await pageB.evaluate((id) => Object.keys(localStorage).filter((k) => k.includes(id)), acme.id)).toEqual([])
  // Then B is taken to their own workspace.
  await pageB.waitForURL(/\/w\/personal-[a-f0-9]{12}$/, { timeout: 15_000 })

  // Signing out clears what the device kept of the person's workspaces.
  await pageA.getByRole('button', { name: 'Sign out' }).click()
  await pageA.waitForURL(/\/sign-in/)
  expect((await localCopies(pageA)).filter((n) => n.includes(acme.id))).toEqual([])

  expect(a.errors).toEqual([])
  expect(b.errors.filter((e) => !/WebSocket|ERR_INTERNET_DISCONNECTED|net::ERR/.test(e))).toEqual([])
  await a.context.close()
  await b.context.close()
})
