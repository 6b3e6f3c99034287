import type { Browser } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { startAppServer, type AppServerOptions } from './app-server'
import { launchBrowser } from './browser'

/**
 * A test file's own app server (the built production entry on a fresh
 * database) and browser, started before its tests and stopped after them.
 * Each file has its own, because better-auth rate-limits sign-ups per server.
 */
export function appInBrowser(options?: AppServerOptions) {
  let server: Awaited<ReturnType<typeof startAppServer>> | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    server = await startAppServer(options)
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('the app server starts in beforeAll')
      return server
    },
    get browser() {
      if (!browser) throw new Error('the browser starts in beforeAll')
      return browser
    },
  }
}
