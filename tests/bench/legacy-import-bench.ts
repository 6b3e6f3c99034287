/**
 * `npm run bench -- legacy`: how long the import from the team-based app
 * takes at a size a small company has (decision 018). A legacy database is
 * filled by SQL on the real PostgreSQL server, then imported into a fresh
 * database built by our migrations, through a sync server of this process,
 * as `npm run import:legacy` does; then imported again (which must change
 * nothing). Prints figures; asserts nothing.
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { hashPassword } from 'better-auth/crypto'
import postgres from 'postgres'
import { syncRoomWriter } from '../../app/server/sync-room-writer'
import { createAuth } from '../../db/auth/auth'
import { createDatabase } from '../../db/client'
import { parseEnv } from '../../db/env'
import { importLegacy, openLegacySource, type ImportReport } from '../../db/legacy-import'
import { createRevocationBus } from '../../db/revocations'
import { silentLogger } from '../../sync-server/logger'
import { createSyncServer } from '../../sync-server/server'
import { LEGACY_SCHEMA } from '../legacy-import/legacy-fixture'

const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const USERS = Number(process.env.LEGACY_BENCH_USERS ?? 200)
const TEAMS = Math.max(1, Math.floor(USERS / 10))
const THREADS_PER_USER = Number(process.env.LEGACY_BENCH_THREADS ?? 10)
const MESSAGES_PER_THREAD = Number(process.env.LEGACY_BENCH_MESSAGES ?? 20)
/** About the length of a short answer. */
const TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(10)

async function createDatabaseNamed(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}

/** Ten members per team (the first owns it, the second is an admin), two team sidekiqs, a personal one each. */
async function fillLegacy(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  const hash = await hashPassword('bench password 1')
  try {
    await sql.unsafe(LEGACY_SCHEMA)
    await sql`insert into "user" (id, name, email, email_verified, created_at)
      select 'u_' || i, 'User ' || i, 'user' || i || '@bench.test', true, now() - interval '1 year'
      from generate_series(0, ${USERS - 1}) i`
    await sql`insert into account (id, account_id, provider_id, user_id, password)
      select 'acc_' || i, 'u_' || i, 'credential', 'u_' || i, ${hash} from generate_series(0, ${USERS - 1}) i`
    await sql`insert into team (id, name, owner_id, avatar)
      select 'team_' || t, 'Team ' || t, 'u_' || (t * 10), '{"type":"emoji","color":"#336699","emoji":"🚀"}'::jsonb
      from generate_series(0, ${TEAMS - 1}) t`
    await sql`insert into team_member (team_id, user_id, role)
      select 'team_' || t, 'u_' || (t * 10 + k), case k when 0 then 'owner' when 1 then 'admin' else 'member' end
      from generate_series(0, ${TEAMS - 1}) t, generate_series(0, 9) k where t * 10 + k < ${USERS}`
    await sql`insert into team_invite (id, team_id, email, token, role, expires_at)
      select 'inv_' || t || '_' || k, 'team_' || t, 'guest' || t || '_' || k || '@bench.test',
        'tok_' || md5(t || '/' || k), 'member', now() + interval '7 days'
      from generate_series(0, ${TEAMS - 1}) t, generate_series(0, 2) k`
    await sql`insert into sidekiq (id, owner_id, team_id, name, description, instructions, conversation_starters, default_model)
      select 'sk_u' || i, 'u_' || i, null, 'Helper', 'Mine', 'Be brief.', '["Hello"]'::jsonb, 'gpt-4o-mini'
      from generate_series(0, ${USERS - 1}) i
      union all
      select 'sk_t' || t || '_' || k, 'u_' || (t * 10), 'team_' || t, 'Team helper ' || k, '', 'Know the team.',
        '[]'::jsonb, 'gpt-4o'
      from generate_series(0, ${TEAMS - 1}) t, generate_series(0, 1) k`
    await sql`insert into thread (id, user_id, sidekiq_id, title, active_model, last_activity_at, created_at)
      select 't_' || i || '_' || j, 'u_' || i, case when j = 0 then 'sk_u' || i end, 'Thread ' || j, 'gpt-4o-mini',
        now() - interval '1 day', now() - interval '30 days'
      from generate_series(0, ${USERS - 1}) i, generate_series(0, ${THREADS_PER_USER - 1}) j`
    await sql`insert into message (id, thread_id, parent_message_id, role, content, model, input_tokens, output_tokens, created_at)
      select 'm_' || t.id || '_' || k, t.id, case when k > 0 then 'm_' || t.id || '_' || (k - 1) end,
        case when k % 2 = 0 then 'user' else 'assistant' end, ${TEXT} || k,
        case when k % 2 = 1 then 'gpt-4o-mini' end, case when k % 2 = 1 then 200 + k end,
        case when k % 2 = 1 then 80 end, t.created_at + k * interval '1 minute'
      from thread t, generate_series(0, ${MESSAGES_PER_THREAD - 1}) k`
  } finally {
    await sql.end()
  }
}

async function importOnce(targetUrl: string, legacyUrl: string) {
  const env = parseEnv({
    NODE_ENV: 'test',
    BETTER_AUTH_SECRET: randomBytes(24).toString('hex'),
    BETTER_AUTH_URL: 'http://localhost:3999',
  })
  const database = createDatabase(targetUrl)
  const revocations = createRevocationBus()
  const sync = createSyncServer({
    db: database.db,
    logWriter: database.logWriter,
    auth: createAuth(database.db, env, revocations),
    revocations,
    logger: silentLogger,
  })
  const source = await openLegacySource(legacyUrl)
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
  const started = performance.now()
  let report: ImportReport
  try {
    report = await importLegacy({ db: database.db, source, rooms: syncRoomWriter(sync) })
    await sync.close()
  } finally {
    clearInterval(sampler)
    await source.close()
    await database.close()
  }
  return { report, seconds: (performance.now() - started) / 1000, peakRss }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`

export async function runLegacyImportBench(): Promise<void> {
  const legacy = await createDatabaseNamed('legacy_bench')
  const target = await createDatabaseNamed('legacy_target')
  try {
    await fillLegacy(legacy.url)
    const migrated = createDatabase(target.url)
    await migrated.migrate()
    await migrated.close()
    const threads = USERS * THREADS_PER_USER
    const messages = threads * MESSAGES_PER_THREAD
    console.log(
      `\n== legacy import: ${USERS} users, ${TEAMS} teams, ${threads} threads, ${messages} messages (PostgreSQL to PostgreSQL)`,
    )
    const first = await importOnce(target.url, legacy.url)
    const c = first.report.changed
    console.log(
      `first run:  ${first.seconds.toFixed(1)} s, ${(c.chats / first.seconds).toFixed(0)} chats/s, ` +
        `${(c.messages / first.seconds).toFixed(0)} messages/s, peak RSS ${mb(first.peakRss)} ` +
        `(wrote ${c.users} users, ${c.workspaces + c.personalWorkspaces} workspaces, ${c.members} members, ` +
        `${c.sidekiqs} sidekiqs, ${c.chats} chats, ${c.messages} messages, ${c.usageEvents} usage events)`,
    )
    const second = await importOnce(target.url, legacy.url)
    const changedAgain = Object.values(second.report.changed).reduce((a, b) => a + b, 0)
    console.log(
      `second run: ${second.seconds.toFixed(1)} s, peak RSS ${mb(second.peakRss)}, rows and messages changed: ${changedAgain}`,
    )
  } finally {
    await target.drop()
    await legacy.drop()
  }
}
