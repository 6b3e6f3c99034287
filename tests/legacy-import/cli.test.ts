import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDatabase, type Db } from '../../db/client'
import { parseRoomName } from '../../shared/rooms'
import { createTestDatabase } from '../helpers/database'
import { createLegacyDatabase, seedTarget, type LegacyDatabase } from './legacy-fixture'
import { roomContents, targetPicture } from './target-picture'

/**
 * The CLI as people run it, in a process of its own: killed part way through
 * the threads and run again, it must end where one clean run ends.
 */

const dirs: string[] = []
const closers: (() => Promise<void>)[] = []
let legacy: LegacyDatabase

beforeAll(async () => {
  legacy = await createLegacyDatabase()
})
afterAll(async () => {
  for (const close of closers.splice(0)) await close()
  await legacy?.close()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'legacy-import-'))
  dirs.push(dir)
  return dir
}

/** A seeded target the CLI can reach: a PostgreSQL database when DATABASE_URL is set, else a PGlite directory. */
interface Target {
  env: NodeJS.ProcessEnv
  /** Reads the target (PGlite: only while no CLI runs, one process owns the directory). */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T>
}

async function newTarget(): Promise<Target> {
  const dataDir = tempDir()
  const base = { NODE_ENV: 'test', DATA_DIR: dataDir, BETTER_AUTH_SECRET: randomBytes(24).toString('hex') }
  if (process.env.DATABASE_URL) {
    const database = await createTestDatabase()
    closers.push(() => database.close())
    await seedTarget(database.db)
    return { env: { ...base, DATABASE_URL: database.url }, read: (fn) => fn(database.db) }
  }
  const read = async <T>(fn: (db: Db) => Promise<T>) => {
    const database = createDatabase(undefined, dataDir)
    try {
      await database.migrate()
      return await fn(database.db)
    } finally {
      await database.close()
    }
  }
  await read((db) => seedTarget(db))
  return { env: base, read }
}

interface Run {
  child: ChildProcess
  stdout: string[]
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Run {
  const childEnv = { ...process.env, ...env }
  if (!env.DATABASE_URL) delete childEnv.DATABASE_URL
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/server/import-legacy.ts', ...args], {
    cwd: process.cwd(),
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stdout: string[] = []
  let partial = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n')
    partial = parts.pop()!
    stdout.push(...parts)
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (partial) stdout.push(partial)
      resolve({ code, signal })
    }),
  )
  return { child, stdout, stderr: () => stderr, exited }
}

async function chatsIn(db: Db) {
  let n = 0
  for (const [room, content] of await roomContents(db))
    if (parseRoomName(room)?.kind === 'private') n += content.chats.length
  return n
}

describe('npm run import:legacy', () => {
  test('a run killed part way through the threads, run again, ends where one clean run ends', async () => {
    const threads = legacy.data.threads.filter((t) => t.user_id !== 'u_frank').length
    const killed = await newTarget()
    const first = runCli(['--from', legacy.url], killed.env)
    // Kill it once it reports some threads written, well before the last.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const progress = first.stdout.map((l) => /^threads (\d+)\//.exec(l)).find((m) => m && Number(m[1]) >= 20)
        if (progress) {
          clearInterval(timer)
          first.child.kill('SIGKILL')
          resolve()
        }
      }, 5)
      void first.exited.then(() => {
        clearInterval(timer)
        reject(new Error(`finished before it could be killed:\n${first.stdout.join('\n')}\n${first.stderr()}`))
      })
    })
    expect((await first.exited).signal).toBe('SIGKILL')
    const written = await killed.read(chatsIn)
    expect(written).toBeGreaterThanOrEqual(20)
    expect(written).toBeLessThan(threads)

    const second = runCli(['--from', legacy.url], killed.env)
    expect(await second.exited, second.stderr()).toEqual({ code: 0, signal: null })
    expect(second.stdout.join('\n')).toMatch(/Import finished/)

    const clean = await newTarget()
    const single = runCli(['--from', legacy.url], clean.env)
    expect(await single.exited, single.stderr()).toEqual({ code: 0, signal: null })
    expect(single.stdout.join('\n')).toMatch(new RegExp(`${threads} chats created`))

    const resumed = await killed.read(targetPicture)
    const once = await clean.read(targetPicture)
    expect(resumed.rooms.flatMap((r) => r.chats)).toHaveLength(threads)
    expect(resumed).toEqual(once)
  }, 180_000)

  test('a dry run prints counts per table and per workspace and writes nothing', async () => {
    const target = await newTarget()
    const before = await target.read(targetPicture)
    const run = runCli(['--from', legacy.url, '--dry-run'], target.env)
    expect(await run.exited, run.stderr()).toEqual({ code: 0, signal: null })
    const out = run.stdout.join('\n')
    expect(out).toMatch(/Dry run: nothing was written/)
    expect(out).toMatch(new RegExp(`thread\\s+${legacy.data.threads.length}`))
    expect(out).toMatch(/Acme \(team team_acme\): 4, 2, 1, 0, 0/)
    expect(out).toMatch(/team_invite: expired: 1 \(inv_expired\)/)
    expect(await target.read(targetPicture)).toEqual(before)
  }, 60_000)

  test.each([
    [
      'an unreachable database',
      ['--from', 'postgres://postgres@127.0.0.1:1/none'],
      /Could not read the legacy database/,
    ],
    ['a database that is not the legacy app', ['--from', 'ADMIN'], /Not a legacy database .*missing table "user"/],
    ['no --from', [], /Invalid arguments\n {2}--from: required/],
    ['a --from that is not a postgres URL', ['--from', 'mysql://x'], /--from: must be a postgres/],
    ['an unknown option', ['--from', 'postgres://x/y', '--force'], /Unknown option '--force'/],
  ])(
    '%s ends with a clear message and a non-zero exit',
    async (_name, args, message) => {
      const admin = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
      const run = runCli(
        args.map((a) => (a === 'ADMIN' ? admin : a)),
        { NODE_ENV: 'test', DATA_DIR: tempDir() },
      )
      const { code } = await run.exited
      expect(code).toBe(1)
      expect(run.stderr()).toMatch(message)
      expect(run.stderr()).not.toMatch(/\n\s+at /)
    },
    30_000,
  )
})
