import { SERVER_NODE_FLAGS } from '../helpers/node-flags'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { startAppServer } from './app-server'

const dataDir = mkdtempSync(path.join(tmpdir(), 'workspaces-embedded-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** The zero-setup path of `npm start`: development mode, no secret given, embedded PGlite. */
const embedded = () =>
  startAppServer({ database: 'pglite', dataDir, env: { NODE_ENV: 'development', BETTER_AUTH_SECRET: '' } })

async function call(baseURL: string, pathname: string, cookie = '', body?: unknown) {
  const res = await fetch(baseURL + pathname, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { origin: baseURL, cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0])
  return { status: res.status, body: await res.json(), cookie: cookies.join('; ') || cookie }
}

test('serves on embedded PGlite with no set-up, and keeps data and sessions across a restart', async () => {
  const first = await embedded()
  let cookie: string
  try {
    expect(await call(first.baseURL, '/api/health')).toMatchObject({ status: 200, body: { ok: true } })
    const signUp = await call(first.baseURL, '/api/auth/sign-up/email', '', {
      name: 'Pat',
      email: 'pat@example.test',
      password: 'correct horse battery',
    })
    expect(signUp.status).toBe(200)
    cookie = signUp.cookie
    const created = await call(first.baseURL, '/api/auth/organization/create', cookie, {
      name: 'Persist Co',
      slug: 'persist-co',
    })
    expect(created.status).toBe(200)
  } finally {
    await first.stop()
  }
  // The generated secret and the database files live in the data directory.
  expect(existsSync(path.join(dataDir, 'auth-secret'))).toBe(true)
  expect(existsSync(path.join(dataDir, 'pglite'))).toBe(true)

  const second = await embedded()
  try {
    const mine = await call(second.baseURL, '/api/workspaces', cookie)
    expect(mine.status).toBe(200)
    expect(mine.body.workspaces.map((w: { name: string }) => w.name)).toEqual(["Pat's workspace", 'Persist Co'])
  } finally {
    await second.stop()
  }
})

/** Runs the server entry with a given environment and returns how it exited. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, 'app/server/main.ts'], {
      env: { ...process.env, PORT: '0', DATA_DIR: dataDir, DATABASE_URL: '', BETTER_AUTH_SECRET: '', ...env },
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

test.each([
  ['production without a secret', { NODE_ENV: 'production' }, 'BETTER_AUTH_SECRET'],
  ['a short secret', { BETTER_AUTH_SECRET: 'too-short' }, 'BETTER_AUTH_SECRET'],
  ['a DATABASE_URL that is not postgres', { DATABASE_URL: 'mysql://localhost/x' }, 'DATABASE_URL'],
  ['a PORT that is not a number', { PORT: 'eighty' }, 'PORT'],
  ['an SMTP_URL that is not smtp', { SMTP_URL: 'http://mail' }, 'SMTP_URL'],
])('refuses to start with %s, naming the variable', async (_case, env, variable) => {
  const { code, output } = await runMain(env)
  expect(code).toBe(1)
  expect(output).toContain('Invalid environment')
  expect(output).toContain(variable)
})
