import { SERVER_NODE_FLAGS } from '../helpers/node-flags'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import postgres from 'postgres'

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/** Where fresh databases are created: DATABASE_URL, or the local server PostgreSQL always runs on here. */
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface AppServerOptions {
  /** 'pglite' ignores DATABASE_URL; default: PostgreSQL when DATABASE_URL is set. */
  database?: 'postgres' | 'pglite'
  /** Reuse a data directory (PGlite files, generated secret) across restarts. */
  dataDir?: string
  env?: Record<string, string>
  /** Another entry, e.g. the standalone sync node. */
  entry?: string
  healthPath?: string
  /** Join an existing PostgreSQL database instead of creating one. */
  databaseUrl?: string
}

/**
 * Starts the production entry (built by global-setup) on a free port, on a
 * fresh PostgreSQL database when DATABASE_URL is set, else on PGlite in a
 * temporary directory.
 */
export async function startAppServer(options: AppServerOptions = {}) {
  const port = await freePort()
  const baseURL = `http://127.0.0.1:${port}`
  const ownDataDir = !options.dataDir
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'workspaces-e2e-'))
  let databaseUrl: string | undefined
  let dbName: string | undefined
  const usePostgres = options.database ? options.database === 'postgres' : !!process.env.DATABASE_URL
  if (options.databaseUrl) {
    databaseUrl = options.databaseUrl
  } else if (usePostgres) {
    dbName = `e2e_${randomBytes(5).toString('hex')}`
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${dbName}`)
    await admin.end()
    const url = new URL(ADMIN_URL)
    url.pathname = `/${dbName}`
    databaseUrl = url.toString()
  }
  const child: ChildProcess = spawn(process.execPath, [...SERVER_NODE_FLAGS, options.entry ?? 'app/server/main.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      BETTER_AUTH_URL: baseURL,
      BETTER_AUTH_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`)
    try {
      const res = await fetch(`${baseURL}${options.healthPath ?? '/api/health'}`)
      if (res.ok) break
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${output}`)
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    baseURL,
    dataDir,
    databaseUrl,
    output: () => output,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true })
      if (dbName) {
        const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
        await admin.unsafe(`drop database if exists ${dbName} with (force)`)
        await admin.end()
      }
    },
  }
}
