import { defineConfig } from 'vitest/config'

// Kept apart from vite.config.ts so the TanStack Start plugin is not loaded into tests.
export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'shared/**/*.test.ts', 'db/**/*.test.ts'],
    exclude: ['tests/e2e/**'],
    setupFiles: ['tests/helpers/console-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // As the servers run (tests/helpers/node-flags.ts).
    execArgv: ['--experimental-async-context-frame'],
  },
})
