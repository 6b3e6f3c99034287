import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { Browser, Page } from 'playwright-core'
import postgres from 'postgres'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { formatMicros } from '../../shared/money'
import { currentPeriod } from '../../shared/schemas/usage'
import { startAppServer } from './app-server'
import { launchBrowser, newWatchedContext } from './browser'
import { signUpThroughPage } from './people'

let server: Awaited<ReturnType<typeof startAppServer>>
let browser: Browser
let sql: postgres.Sql
const SCREENSHOTS = 'docs/screenshots'

beforeAll(async () => {
  // PostgreSQL, not PGlite: the test writes usage rows beside the running server.
  server = await startAppServer({ database: 'postgres' })
  sql = postgres(server.databaseUrl!, { max: 2, onnotice: () => {} })
  browser = await launchBrowser()
  mkdirSync(SCREENSHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await sql?.end()
  await server?.stop()
})

const DAY_MS = 24 * 60 * 60 * 1000
const isoDay = (d: Date) => d.toISOString().slice(0, 10)

interface Event {
  workspaceId: string
  userId: string
  model: string
  inputTokens: number
  outputTokens: number
  costMicros: number
  endedAt: Date
}

async function insertEvents(events: Event[]) {
  for (const e of events) {
    await sql`
      insert into usage_event (id, workspace_id, user_id, chat_id, kind, model, input_tokens, output_tokens,
                               cost_micros, started_at, ended_at, outcome)
      values (${`gen_${randomBytes(8).toString('hex')}`}, ${e.workspaceId}, ${e.userId}, ${'chat_e2e'}, 'answer',
              ${e.model}, ${e.inputTokens}, ${e.outputTokens}, ${e.costMicros},
              ${new Date(e.endedAt.getTime() - 5_000)}, ${e.endedAt}, 'done')`
  }
}

const sum = (events: Event[], key: 'inputTokens' | 'outputTokens' | 'costMicros') =>
  events.reduce((n, e) => n + e[key], 0)

async function signUp(page: Page, name: string) {
  const email = await signUpThroughPage(page, name)
  const slug = new URL(page.url()).pathname.split('/')[2]
  const [row] = await sql<{ userId: string; workspaceId: string }[]>`
    select u.id as "userId", w.id as "workspaceId"
    from "user" u join workspace w on w.owner_id = u.id
    where u.email = ${email} and w.slug = ${slug}`
  return { slug, ...row }
}

/** Waits until the report has answered for the range now asked for. */
async function settled(page: Page) {
  await page.locator('[data-testid="usage-report"][aria-busy="false"]').waitFor()
}

const text = (page: Page, testId: string) => page.getByTestId(testId).textContent()

// Chromium logs every 4xx fetch to the console; the refused range is one on purpose.
const EXPECTED_400 = /^console: Failed to load resource: the server responded with a status of 400\b/

test('an owner sees the totals, daily bars and breakdowns of the calls made in the period, and a refused range', async () => {
  const a = await newWatchedContext(browser, server.baseURL)
  const page = await a.context.newPage()
  const alice = await signUp(page, 'Alice')

  const period = currentPeriod()
  const day = (n: number, hour: number) => new Date(period.from.getTime() + n * DAY_MS + hour * 60 * 60 * 1000)
  const mine = { workspaceId: alice.workspaceId, userId: alice.userId }
  const inPeriod: Event[] = [
    {
      ...mine,
      model: 'openai:gpt-4o-mini',
      inputTokens: 1200,
      outputTokens: 300,
      costMicros: 12_300,
      endedAt: day(0, 9),
    },
    { ...mine, model: 'demo', inputTokens: 800, outputTokens: 200, costMicros: 4_500, endedAt: day(0, 15) },
    {
      ...mine,
      model: 'openai:gpt-4o-mini',
      inputTokens: 2500,
      outputTokens: 700,
      costMicros: 210_000,
      endedAt: day(2, 8),
    },
  ]
  // One second before the period: counted in no figure on the page.
  const before: Event = { ...inPeriod[0], costMicros: 999_000, endedAt: new Date(period.from.getTime() - 1000) }
  await insertEvents([...inPeriod, before])

  // The nav link leads to the page, which opens on the current period.
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Usage' }).click()
  await page.waitForURL(new RegExp(`/w/${alice.slug}/usage$`))
  await settled(page)
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Usage')
  expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(isoDay(period.from))
  expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(isoDay(new Date(period.to.getTime() - DAY_MS)))

  const cost = sum(inPeriod, 'costMicros')
  expect(await text(page, 'usage-total-calls')).toBe('3')
  expect(await text(page, 'usage-total-input')).toBe(sum(inPeriod, 'inputTokens').toLocaleString('en-US'))
  expect(await text(page, 'usage-total-output')).toBe(sum(inPeriod, 'outputTokens').toLocaleString('en-US'))
  expect(await text(page, 'usage-total-cost')).toBe(formatMicros(cost))
  expect(formatMicros(cost)).toBe('$0.2268')
  // Budget: free plan, $2.00; nothing reserved.
  expect(await text(page, 'usage-budget-used')).toBe('$0.2268')
  expect(await text(page, 'usage-percent')).toBe('11% used')

  // One bar per day of the period; only the two days with calls have height.
  const daysInPeriod = Math.round((period.to.getTime() - period.from.getTime()) / DAY_MS)
  const bars = page.getByTestId('usage-bar')
  expect(await bars.count()).toBe(daysInPeriod)
  const tall = await bars.evaluateAll((els) =>
    els.filter((el) => Number(el.getAttribute('height')) > 0).map((el) => el.getAttribute('data-day')),
  )
  expect(tall).toEqual([isoDay(day(0, 0)), isoDay(day(2, 0))])
  const label = await page.getByRole('img', { name: /^Daily cost/ }).getAttribute('aria-label')
  expect(label).toContain('$0.2268 over 3 calls on 2 of')

  // Breakdowns: by model, most expensive first, and the one member.
  const models = page.getByTestId('usage-by-model').locator('tbody tr')
  expect(await models.count()).toBe(2)
  expect(await models.nth(0).textContent()).toContain('GPT-4o mini')
  expect(await models.nth(0).textContent()).toContain(formatMicros(222_300))
  const members = page.getByTestId('usage-by-member').locator('tbody tr')
  expect(await members.count()).toBe(1)
  expect(await members.nth(0).textContent()).toContain('Alice')
  // The frame's sidebar is as tall as the viewport: grow the viewport rather than take a full-page shot.
  await page.setViewportSize({ width: 1280, height: await page.evaluate(() => document.body.scrollHeight) })
  await page.screenshot({ path: `${SCREENSHOTS}/usage.png` })
  await page.setViewportSize({ width: 1280, height: 800 })

  // "Last 30 days" asks for 30 bars.
  await page.getByRole('button', { name: 'Last 30 days' }).click()
  await page.waitForURL(/from=.*to=/)
  await expect
    .poll(async () => {
      await settled(page)
      return bars.count()
    })
    .toBe(30)
  expect(a.errors).toEqual([])

  // A range ending before it starts: the API's refusal is shown, field message included.
  await page.getByRole('button', { name: 'This period' }).click()
  await page.waitForURL(new RegExp(`/w/${alice.slug}/usage$`))
  await page.getByLabel('To', { exact: true }).fill(isoDay(new Date(period.from.getTime() - 5 * DAY_MS)))
  const alert = page.getByTestId('usage-report').getByRole('alert')
  await alert.waitFor()
  expect(await alert.textContent()).toContain('Invalid input: to')
  expect(await alert.textContent()).toContain('"to" must be after "from"')
  expect(await page.getByTestId('usage-total-cost').count()).toBe(0)

  // "This period" recovers.
  await page.getByRole('button', { name: 'This period' }).click()
  await expect.poll(() => page.getByTestId('usage-total-cost').textContent()).toBe('$0.2268')

  expect(a.errors.filter((e) => !EXPECTED_400.test(e))).toEqual([])
  await a.context.close()
})

test('a member sees only their own calls, with a note that owners and admins see everyone', async () => {
  const stamp = Date.now().toString(36)
  const a = await newWatchedContext(browser, server.baseURL)
  const b = await newWatchedContext(browser, server.baseURL)
  const pageA = await a.context.newPage()
  const pageB = await b.context.newPage()
  const owner = await signUp(pageA, 'Olive')
  const member = await signUp(pageB, 'Mo')

  // A shared workspace set up in the database: the invitation flow has its own test.
  const workspaceId = `ws_${randomBytes(8).toString('hex')}`
  const slug = `team-${stamp}`
  await sql`insert into workspace (id, name, slug, owner_id) values (${workspaceId}, 'Team', ${slug}, ${owner.userId})`
  await sql`
    insert into workspace_member (id, workspace_id, user_id, role) values
      (${`m_${randomBytes(8).toString('hex')}`}, ${workspaceId}, ${owner.userId}, 'owner'),
      (${`m_${randomBytes(8).toString('hex')}`}, ${workspaceId}, ${member.userId}, 'member')`
  const at = new Date(currentPeriod().from.getTime() + 60 * 60 * 1000)
  const base = { workspaceId, model: 'demo', inputTokens: 100, outputTokens: 50, endedAt: at }
  await insertEvents([
    { ...base, userId: owner.userId, costMicros: 300_000 },
    { ...base, userId: member.userId, costMicros: 40_000 },
  ])

  await pageB.goto(`/w/${slug}/usage`)
  await settled(pageB)
  expect(await pageB.getByRole('heading', { level: 1 }).textContent()).toBe('Your usage')
  await pageB.getByText('Owners and admins see everyone’s usage.').waitFor()
  expect(await text(pageB, 'usage-total-calls')).toBe('1')
  expect(await text(pageB, 'usage-total-cost')).toBe('$0.04')
  expect(await pageB.getByTestId('usage-by-member').count()).toBe(0)
  // The budget is the workspace's, whoever spent it.
  expect(await text(pageB, 'usage-budget-used')).toBe('$0.34')

  await pageA.goto(`/w/${slug}/usage`)
  await settled(pageA)
  expect(await pageA.getByRole('heading', { level: 1 }).textContent()).toBe('Usage')
  expect(await text(pageA, 'usage-total-cost')).toBe('$0.34')
  expect(await pageA.getByTestId('usage-by-member').locator('tbody tr').count()).toBe(2)

  // Phone width: the page fits without sideways scrolling.
  await pageB.setViewportSize({ width: 375, height: 800 })
  expect(await pageB.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)

  // A personal workspace without calls shows the empty state.
  await pageB.goto(`/w/${member.slug}/usage`)
  await pageB.getByText('No AI usage in this period yet').waitFor()

  expect(a.errors).toEqual([])
  expect(b.errors).toEqual([])
  await a.context.close()
  await b.context.close()
})
