import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
}

/**
 * A browser context whose pages record uncaught errors and console errors;
 * a test ends by asserting the list is empty.
 */
export async function newWatchedContext(browser: Browser, baseURL: string) {
  const context: BrowserContext = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } })
  const errors: string[] = []
  const watch = (page: Page) => {
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      // The resource a failed load names is in the message's location, not its text.
      if (m.type() === 'error') errors.push(`console: ${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`)
    })
  }
  context.on('page', watch)
  return { context, errors }
}
