import { mkdirSync } from 'node:fs'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { startFakeStripe, type FakeStripe } from '../helpers/fake-stripe'
import { startAppServer } from './app-server'
import { launchBrowser, newWatchedContext } from './browser'

let fake: FakeStripe
let server: Awaited<ReturnType<typeof startAppServer>>
let browser: Browser
const SCREENSHOTS = 'docs/screenshots'
const WEBHOOK_SECRET = 'whsec_e2e'

beforeAll(async () => {
  fake = await startFakeStripe({ webhookSecret: WEBHOOK_SECRET, meteredPrices: ['price_over'] })
  server = await startAppServer({
    env: {
      STRIPE_SECRET_KEY: 'sk_test_e2e',
      STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      STRIPE_PRICE_PRO: 'price_pro',
      STRIPE_PRICE_TEAM: 'price_team_seat',
      STRIPE_PRICE_OVERAGE: 'price_over',
      STRIPE_API_URL: fake.url,
    },
  })
  browser = await launchBrowser()
  mkdirSync(SCREENSHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await fake?.close()
})

test('an owner upgrades through Checkout, and the billing page turns to Pro when Stripe says so, without a reload', async () => {
  const a = await newWatchedContext(browser, server.baseURL)
  const page = await a.context.newPage()
  const stamp = Date.now().toString(36)
  await page.goto('/sign-up')
  await page.getByLabel('Name').fill('Olivia')
  await page.getByLabel('Email').fill(`olivia-${stamp}@example.test`)
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.waitForURL(/\/w\/personal-[a-f0-9]{12}$/)
  const slug = new URL(page.url()).pathname.split('/')[2]

  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Billing' }).click()
  await page.waitForURL(new RegExp(`/w/${slug}/billing$`))
  await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('Free')
  expect(await page.getByTestId('billing-not-configured').count()).toBe(0)

  // Stripe's hosted Checkout is elsewhere; the browser is only shown to arrive there.
  await page.route('https://checkout.stripe.test/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Checkout</title><h1>Stripe Checkout (test)</h1>' }),
  )
  await page.getByTestId('upgrade-pro').click()
  await page.waitForURL(/^https:\/\/checkout\.stripe\.test\//)
  const session = fake.checkoutSessions().at(-1)!
  expect(page.url()).toBe(session.url)
  expect(fake.lineItems(session.id).map((i) => i.price)).toEqual(['price_pro', 'price_over'])

  // Back from Checkout before Stripe's webhook has come: the page says it is on its way.
  await page.goto(`/w/${slug}/billing?checkout=success`)
  await expect.poll(() => page.getByTestId('billing-plan').textContent()).toBe('Free')
  await page.getByText('your plan will update in a moment').waitFor()

  // Stripe completes the payment and tells the server; the open page follows by itself.
  // A mark on the page's window: a reload would lose it.
  await page.evaluate(() => Object.assign(window, { billingE2eMark: true }))
  const { subscription } = fake.completeCheckout(session.id)
  const { payload, signature } = fake.event('checkout.session.completed', {
    ...session,
    status: 'complete',
    subscription: subscription.id,
  })
  const hook = await fetch(`${server.baseURL}/api/billing/stripe/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  })
  expect(hook.status).toBe(200)
  await expect.poll(() => page.getByTestId('billing-plan').textContent(), { timeout: 15_000 }).toBe('Pro')
  await page.getByText('the workspace is now on the Pro plan').waitFor()
  expect(await page.getByTestId('billing-members').textContent()).toContain('of 25 members')
  expect(await page.getByTestId('manage-billing').isVisible()).toBe(true)
  expect(await page.evaluate(() => (window as { billingE2eMark?: boolean }).billingE2eMark)).toBe(true)
  await page.screenshot({ path: `${SCREENSHOTS}/billing.png`, fullPage: true })

  // The portal opens for the owner, with the workspace's customer.
  await page.route('https://billing.stripe.test/**', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<title>Portal</title><h1>Stripe portal (test)</h1>' }),
  )
  await page.getByTestId('manage-billing').click()
  await page.waitForURL(/^https:\/\/billing\.stripe\.test\//)
  expect(fake.portalSessions().at(-1)!.customer).toBe(session.customer)

  expect(a.errors).toEqual([])
  await a.context.close()
})
