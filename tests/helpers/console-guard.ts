import { afterEach, beforeEach, vi } from 'vitest'

/**
 * An unexpected console.error (an unhandled server error, a failed query)
 * fails the test that caused it, even when its assertions passed. A test
 * that provokes a logged error on purpose says so with `allowConsoleErrors`.
 */
let errors: string[] = []
let allowed: RegExp[] = []

export function allowConsoleErrors(pattern: RegExp) {
  allowed.push(pattern)
}

beforeEach(() => {
  errors = []
  allowed = []
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.map(String).join(' '))
  })
})

afterEach(() => {
  vi.mocked(console.error).mockRestore()
  const unexpected = errors.filter((e) => !allowed.some((p) => p.test(e)))
  if (unexpected.length) throw new Error(`console.error was called:\n${unexpected.join('\n')}`)
})
