import { SERVER_NODE_FLAGS } from '../helpers/node-flags'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import postgres from 'postgres'
import { createDatabase } from '../../db/client'

export interface BenchServer {
  name: string
  /** Base for room URLs: `${base}/${room}`. */
  base: string
  pid: number
  rssBytes(): number
  /** Our node's /metrics, parsed (the reference has none). */
  metrics?(): Promise<Map<string, number>>
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return kb * 1024
}

/** Starts a node process and resolves once its output matches `ready` (the match holds what it printed). */
export async function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<ChildProcess & { ready: RegExpExecArray }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000)
    const onData = (d: Buffer) => {
      output += d
      const found = ready.exec(output)
      if (found) {
        clearTimeout(timer)
        resolve(found)
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${output}`)))
  })
  return Object.assign(child, { ready: match })
}

/** Stops a process started by startProcess: SIGTERM, then SIGKILL after 10 s. */
export function stopper(child: ChildProcess) {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref()
    })
}

/** The reference: @y/websocket-server 0.1.1 (yjs 13), in memory, no auth. */
export async function startReference(): Promise<BenchServer> {
  const port = await freePort()
  const child = await startProcess(
    'reference',
    ['node_modules/@y/websocket-server/src/server.js'],
    { HOST: '127.0.0.1', PORT: String(port) },
    /running at/,
  )
  return {
    name: 'reference',
    base: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    rssBytes: () => rssOf(child.pid!),
    stop: stopper(child),
  }
}

export interface BenchDatabase {
  url: string
  token: string
  workspaceIds: string[]
  secret: string
  drop(): Promise<void>
}

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/**
 * A fresh PostgreSQL database built by the real migrations, with one user,
 * one session and `workspaces` workspaces that user belongs to.
 */
export async function createBenchDatabase(workspaces: number): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const database = createDatabase(url.toString())
  await database.migrate()
  await database.close()

  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} })
  const userId = randomUUID()
  const token = randomBytes(24).toString('base64url')
  await sql`insert into "user" (id, name, email) values (${userId}, 'Bench', ${`bench-${name}@example.test`})`
  await sql`insert into session (id, token, user_id, expires_at) values (${randomUUID()}, ${token}, ${userId}, now() + interval '1 day')`
  const workspaceIds = Array.from({ length: workspaces }, () => randomUUID())
  for (let i = 0; i < workspaceIds.length; i += 500) {
    const chunk = workspaceIds.slice(i, i + 500)
    await sql`insert into workspace ${sql(chunk.map((id) => ({ id, name: `Bench ${id.slice(0, 6)}`, slug: `bench-${id}`, owner_id: userId })))}`
    await sql`insert into workspace_member ${sql(chunk.map((id) => ({ id: randomUUID(), workspace_id: id, user_id: userId, role: 'member' })))}`
  }
  await sql.end()
  return {
    url: url.toString(),
    token,
    workspaceIds,
    secret: randomBytes(32).toString('hex'),
    async drop() {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}

/** Ours: the standalone sync node with auth, persistence (PostgreSQL) and metrics on. */
export async function startOurs(db: BenchDatabase): Promise<BenchServer> {
  const port = await freePort()
  const child = await startProcess(
    'workspaces',
    // BENCH_SERVER_FLAGS: extra node flags for our node only (say, --cpu-prof).
    [
      ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...SERVER_NODE_FLAGS,
      'sync-server/main.ts',
    ],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      BETTER_AUTH_SECRET: db.secret,
      BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
      REDIS_URL: '',
    },
    /sync node listening/,
  )
  return {
    name: 'workspaces',
    base: `ws://127.0.0.1:${port}/sync`,
    pid: child.pid!,
    async metrics() {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      const values = new Map<string, number>()
      for (const line of text.split('\n')) {
        const match = /^(\S+) (\S+)$/.exec(line)
        if (match) values.set(match[1], Number(match[2]))
      }
      return values
    },
    rssBytes: () => rssOf(child.pid!),
    stop: stopper(child),
  }
}
