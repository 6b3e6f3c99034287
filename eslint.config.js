import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * Imports point one way: shared/ <- db/ <- sync-server/ <- app server code.
 * Browser code (everything in app/ outside app/server/) imports shared/ and
 * client libraries only; *.functions.ts files are the server functions it may call.
 */
const layer = (files, patterns, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] },
})

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.data', 'app/routeTree.gen.ts', 'db/migrations', 'coverage'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  layer(
    ['shared/**/*.{ts,tsx}'],
    ['**/db/**', '**/sync-server/**', '**/app/**', 'drizzle-orm*', 'better-auth*', 'postgres', 'node:*'],
    'shared/ holds code both sides import: only yjs and zod.',
  ),
  layer(['db/**/*.ts'], ['**/sync-server/**', '**/app/**'], 'db/ may import only shared/.'),
  layer(['sync-server/**/*.ts'], ['**/app/**'], 'The sync server never imports the app.'),
  {
    ...layer(
      ['app/**/*.{ts,tsx}'],
      ['**/db/**', '**/sync-server/**', '**/server/**', '!**/server/*.functions', '!**/server/*.functions.ts'],
      'Browser code imports shared/ and client libraries; it reaches the server through *.functions.ts or the HTTP API.',
    ),
    ignores: ['app/server/**', 'app/routes/api/**'],
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
)
