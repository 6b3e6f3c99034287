import { randomBytes } from 'node:crypto'
import { hashPassword } from 'better-auth/crypto'
import postgres from 'postgres'
import type { Db } from '../../db/client'
import { user } from '../../db/schema'
import { ensurePersonalWorkspace } from '../../db/workspaces'

/**
 * A team-based app's database on the real PostgreSQL server, built by SQL
 * in the old app's shape and filled with the cases the import must carry:
 * users (one with preferences, one whose email someone here already holds
 * unverified, one matched by verified email), two teams with overlapping
 * members, invitations in every state, personal and team sidekiqs, and
 * threads of every kind, one long. The target may be PGlite; the source is
 * always PostgreSQL, as in life.
 */

export const LEGACY_PASSWORD = 'old app password 1'

const ADMIN_URL =
  process.env.LEGACY_POSTGRES_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export const LEGACY_SCHEMA = `
create table "user" (
  id text primary key, name text not null, email text not null unique,
  email_verified boolean not null default false, image text,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  preferences jsonb
);
create table session (
  id text primary key, expires_at timestamptz not null, token text not null unique,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  ip_address text, user_agent text, user_id text not null references "user"(id) on delete cascade
);
create table account (
  id text primary key, account_id text not null, provider_id text not null,
  user_id text not null references "user"(id) on delete cascade,
  access_token text, refresh_token text, id_token text,
  access_token_expires_at timestamptz, refresh_token_expires_at timestamptz,
  scope text, password text,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now()
);
create table verification (
  id text primary key, identifier text not null, value text not null, expires_at timestamptz not null,
  created_at timestamptz default now(), updated_at timestamptz default now()
);
create table team (
  id text primary key, name text not null, owner_id text not null references "user"(id),
  avatar jsonb, member_limit integer,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now()
);
create table team_member (
  team_id text not null references team(id) on delete cascade,
  user_id text not null references "user"(id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'member')),
  joined_at timestamptz not null default now(),
  unique (team_id, user_id)
);
create table team_invite (
  id text primary key, team_id text not null references team(id) on delete cascade,
  email text not null, token text not null unique, role text not null,
  accepted_at timestamptz, rejected_at timestamptz, expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create table sidekiq (
  id text primary key, owner_id text not null references "user"(id), team_id text references team(id),
  name text not null, description text, instructions text, conversation_starters jsonb,
  default_model text, avatar jsonb, is_favorite boolean default false, last_used_at timestamptz,
  thread_count integer default 0, is_public boolean default false, can_team_edit boolean default false,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now()
);
create table thread (
  id text primary key, user_id text not null references "user"(id), sidekiq_id text references sidekiq(id),
  deleted_sidekiq_name text, title text, active_model text,
  is_pinned boolean default false, is_archived boolean default false,
  last_activity_at timestamptz, message_count integer default 0,
  created_at timestamptz not null default now(), updated_at timestamptz not null default now()
);
create table message (
  id text primary key, thread_id text not null references thread(id) on delete cascade,
  parent_message_id text, role text not null check (role in ('user', 'assistant', 'system')),
  content text not null, model text, input_tokens integer, output_tokens integer, metadata jsonb,
  created_at timestamptz not null default now()
);
`

const BASE = Date.UTC(2025, 0, 6, 9, 0, 0)
const at = (minutes: number) => new Date(BASE + minutes * 60_000)
const DAY = 24 * 60 * 60_000

export interface LegacyMessageRow {
  id: string
  thread_id: string
  parent_message_id: string | null
  role: 'user' | 'assistant' | 'system'
  content: string
  model: string | null
  input_tokens: number | null
  output_tokens: number | null
  created_at: Date
}

export interface LegacyThreadRow {
  id: string
  user_id: string
  sidekiq_id: string | null
  deleted_sidekiq_name: string | null
  title: string
  active_model: string | null
  is_pinned: boolean
  is_archived: boolean
  last_activity_at: Date
  created_at: Date
  updated_at: Date
}

/** Emails of people who already have accounts in the target (see seedTarget in the test). */
export const TARGET_PEOPLE = {
  /** Same email as legacy frank, not verified here: frank is a conflict. */
  frank: { id: 'target_frank', email: 'frank@example.com', emailVerified: false },
  /** Same email as legacy gina, verified on both sides: gina is matched. */
  gina: { id: 'target_gina', email: 'gina@example.com', emailVerified: true },
}

export function buildLegacyData(now = Date.now()) {
  const users = [
    {
      id: 'u_alice',
      name: 'Alice',
      email: 'alice@example.com',
      email_verified: true,
      preferences: { defaultModel: 'gpt-4o', favoriteModels: ['gpt-4o', 'claude-sonnet-4-0'] },
    },
    { id: 'u_bob', name: 'Bob', email: 'Bob@Example.com', email_verified: true, preferences: null },
    {
      id: 'u_carol',
      name: 'Carol',
      email: 'carol@example.com',
      email_verified: false,
      preferences: { defaultModel: 'some-unknown-model' },
    },
    { id: 'u_dave', name: 'Dave', email: 'dave@example.com', email_verified: true, preferences: null },
    { id: 'u.erin', name: 'Erin', email: 'erin@example.com', email_verified: true, preferences: null },
    { id: 'u_frank', name: 'Frank', email: 'frank@example.com', email_verified: true, preferences: null },
    { id: 'u_gina', name: 'Gina', email: 'gina@example.com', email_verified: true, preferences: null },
  ].map((u, i) => ({ ...u, image: null, created_at: at(i), updated_at: at(i + 1) }))

  const teams = [
    {
      id: 'team_acme',
      name: 'Acme',
      owner_id: 'u_alice',
      avatar: { type: 'emoji', color: '#ff0000', emoji: '🚀' },
      member_limit: 10,
      created_at: at(10),
      updated_at: at(11),
    },
    // Not a valid room id: gets a derived workspace id. Its owner has no member row.
    {
      id: 'team:beta/2',
      name: 'Beta Crew',
      owner_id: 'u_carol',
      avatar: { type: 'initials', color: 'teal' },
      member_limit: null,
      created_at: at(12),
      updated_at: at(13),
    },
  ]
  const members = [
    { team_id: 'team_acme', user_id: 'u_alice', role: 'owner', joined_at: at(10) },
    { team_id: 'team_acme', user_id: 'u_bob', role: 'admin', joined_at: at(14) },
    { team_id: 'team_acme', user_id: 'u_carol', role: 'member', joined_at: at(15) },
    { team_id: 'team_acme', user_id: 'u_frank', role: 'member', joined_at: at(16) },
    { team_id: 'team_acme', user_id: 'u_gina', role: 'member', joined_at: at(17) },
    { team_id: 'team:beta/2', user_id: 'u_bob', role: 'member', joined_at: at(18) },
    { team_id: 'team:beta/2', user_id: 'u_dave', role: 'owner', joined_at: at(19) },
  ]
  const future = new Date(now + 7 * DAY)
  const past = new Date(now - DAY)
  const invites = [
    {
      id: 'inv_new1',
      team_id: 'team_acme',
      email: 'New1@Example.com',
      token: 'tok_new1_aaaaaaaaaaaaaaaaaaaa',
      role: 'member',
      accepted_at: null,
      rejected_at: null,
      expires_at: future,
      created_at: at(30),
    },
    {
      id: 'inv_new1_old',
      team_id: 'team_acme',
      email: 'new1@example.com',
      token: 'tok_new1_old_bbbbbbbbbbbbbbbb',
      role: 'member',
      accepted_at: null,
      rejected_at: null,
      expires_at: future,
      created_at: at(20),
    },
    {
      id: 'inv_adm',
      team_id: 'team_acme',
      email: 'adm@example.com',
      token: 'short',
      role: 'admin',
      accepted_at: null,
      rejected_at: null,
      expires_at: future,
      created_at: at(21),
    },
    {
      id: 'inv_expired',
      team_id: 'team_acme',
      email: 'old@example.com',
      token: 'tok_expired_cccccccccccccccc',
      role: 'member',
      accepted_at: null,
      rejected_at: null,
      expires_at: past,
      created_at: at(22),
    },
    {
      id: 'inv_accepted',
      team_id: 'team_acme',
      email: 'carol@example.com',
      token: 'tok_accepted_ddddddddddddddd',
      role: 'member',
      accepted_at: at(23),
      rejected_at: null,
      expires_at: future,
      created_at: at(22),
    },
    {
      id: 'inv_rejected',
      team_id: 'team_acme',
      email: 'rej@example.com',
      token: 'tok_rejected_eeeeeeeeeeeeeee',
      role: 'member',
      accepted_at: null,
      rejected_at: at(24),
      expires_at: future,
      created_at: at(22),
    },
    {
      id: 'inv_member',
      team_id: 'team_acme',
      email: 'bob@example.com',
      token: 'tok_member_fffffffffffffffff',
      role: 'member',
      accepted_at: null,
      rejected_at: null,
      expires_at: future,
      created_at: at(25),
    },
    {
      id: 'inv_beta',
      team_id: 'team:beta/2',
      email: 'x@example.com',
      token: 'tok_beta_gggggggggggggggggggg',
      role: 'owner',
      accepted_at: null,
      rejected_at: null,
      expires_at: future,
      created_at: at(26),
    },
  ]
  const sidekiqs = [
    {
      id: 'sk_writer',
      owner_id: 'u_alice',
      team_id: null,
      name: 'Writer',
      description: 'Writes things',
      instructions: 'Be concise.',
      conversation_starters: ['Draft an email', { text: 'Summarize this' }, '  '],
      default_model: 'gpt-4o-mini',
      avatar: { type: 'emoji', color: '#00ff00', emoji: '✍️' },
      is_favorite: true,
      can_team_edit: false,
      created_at: at(40),
      updated_at: at(41),
    },
    {
      id: 'sk_team',
      owner_id: 'u_bob',
      team_id: 'team_acme',
      name: 'Acme Helper',
      description: null,
      instructions: 'Know Acme.',
      conversation_starters: null,
      default_model: 'unknown-model-x',
      avatar: { type: 'initials', color: '#123456' },
      is_favorite: false,
      can_team_edit: true,
      created_at: at(42),
      updated_at: at(43),
    },
    {
      id: 'sk_beta',
      owner_id: 'u_carol',
      team_id: 'team:beta/2',
      name: 'Beta Bot',
      description: 'Beta',
      instructions: '',
      conversation_starters: ['1', '2', '3', '4', '5', '6', '7', '8'],
      default_model: 'anthropic/claude-sonnet-4-0',
      avatar: null,
      is_favorite: false,
      can_team_edit: false,
      created_at: at(44),
      updated_at: at(45),
    },
    {
      id: 'sk_erin',
      owner_id: 'u.erin',
      team_id: null,
      name: 'Writer',
      description: '',
      instructions: 'Erin style',
      conversation_starters: [],
      default_model: 'claude-3-5-haiku-latest',
      avatar: { type: 'emoji', emoji: '🦊' },
      is_favorite: false,
      can_team_edit: false,
      created_at: at(46),
      updated_at: at(47),
    },
    {
      id: 'sk_frank',
      owner_id: 'u_frank',
      team_id: null,
      name: 'Frank Bot',
      description: '',
      instructions: '',
      conversation_starters: [],
      default_model: null,
      avatar: null,
      is_favorite: false,
      can_team_edit: false,
      created_at: at(48),
      updated_at: at(49),
    },
  ]

  const threads: LegacyThreadRow[] = []
  const messages: LegacyMessageRow[] = []
  let minute = 100
  function thread(
    id: string,
    userId: string,
    opts: Partial<LegacyThreadRow> = {},
    turns: Partial<LegacyMessageRow>[] = [],
  ) {
    const start = minute
    turns.forEach((t, i) => {
      messages.push({
        id: t.id ?? `${id}_m${i}`,
        thread_id: id,
        parent_message_id: t.parent_message_id ?? null,
        role: t.role ?? (i % 2 === 0 ? 'user' : 'assistant'),
        content: t.content ?? `${id} message ${i}`,
        model: t.model ?? null,
        input_tokens: t.input_tokens ?? null,
        output_tokens: t.output_tokens ?? null,
        created_at: at(start + i),
      })
    })
    minute += turns.length + 1
    threads.push({
      id,
      user_id: userId,
      sidekiq_id: null,
      deleted_sidekiq_name: null,
      title: `Thread ${id}`,
      active_model: null,
      is_pinned: false,
      is_archived: false,
      last_activity_at: at(minute),
      created_at: at(start),
      updated_at: at(minute),
      ...opts,
    })
  }
  const qa = (id: string, n: number, model = 'gpt-4o-mini') =>
    Array.from({ length: n }, (_, i) => ({
      id: `${id}_m${i}`,
      ...(i % 2
        ? {
            role: 'assistant' as const,
            parent_message_id: `${id}_m${i - 1}`,
            model,
            input_tokens: 10 + i,
            output_tokens: 20 + i,
          }
        : {}),
    }))

  thread('th_a1', 'u_alice', { sidekiq_id: 'sk_writer', is_pinned: true, active_model: 'gpt-4o' }, [
    { role: 'system', content: 'You are helpful.' },
    { id: 'a1_q1', role: 'user', content: 'Hello **there**', input_tokens: 7 },
    {
      role: 'assistant',
      parent_message_id: 'a1_q1',
      model: 'gpt-4o-mini',
      input_tokens: 100,
      output_tokens: 50,
      content: 'Hi!',
    },
    { id: 'a1 q2', role: 'user', content: 'And now?' },
    {
      id: 'a1/a2',
      role: 'assistant',
      parent_message_id: 'a1 q2',
      model: 'mystery-model',
      input_tokens: 10,
      output_tokens: 20,
      content: 'Mystery',
    },
    // A parent that is not a question of this thread: no replyTo.
    {
      role: 'assistant',
      parent_message_id: 'nowhere',
      model: 'claude-3-5-haiku-latest',
      input_tokens: null,
      output_tokens: null,
      content: 'No tokens',
    },
  ])
  thread('th_a2', 'u_alice', { sidekiq_id: 'sk_team', is_archived: true }, qa('th_a2', 4))
  thread(
    'th_b1',
    'u_bob',
    { deleted_sidekiq_name: 'Old Bot', active_model: 'claude-3-5-haiku-latest' },
    qa('th_b1', 3, 'claude-3-5-haiku-latest'),
  )
  thread(
    'thread/odd',
    'u_carol',
    { sidekiq_id: 'sk_beta', title: '' },
    qa('thread/odd', 2, 'anthropic/claude-sonnet-4-0'),
  )
  thread('th_gina', 'u_gina', {}, qa('th_gina', 2))
  thread('th_frank', 'u_frank', { sidekiq_id: 'sk_frank' }, qa('th_frank', 2))
  // A long thread: more text than one update carries.
  const long = qa('th_long', 300).map((m, i) => ({ ...m, content: `long ${i} ${'x'.repeat(4000)}` }))
  thread('th_long', 'u.erin', { sidekiq_id: 'sk_erin' }, long)
  for (let i = 0; i < 100; i++) {
    const id = `th_d_${String(i).padStart(3, '0')}`
    thread(id, 'u_dave', {}, qa(id, 2 + (i % 3), i % 2 ? 'gpt-4o' : 'gpt-4o-mini'))
  }

  const sessions = [{ id: 's1', expires_at: new Date(now + DAY), token: 'sess-token-1', user_id: 'u_alice' }]
  const verifications = [{ id: 'v1', identifier: 'email:alice', value: 'x', expires_at: new Date(now + DAY) }]
  return { users, teams, members, invites, sidekiqs, threads, messages, sessions, verifications }
}

export type LegacyData = ReturnType<typeof buildLegacyData>

export interface LegacyDatabase {
  url: string
  data: LegacyData
  close(): Promise<void>
}

/** Creates and fills a fresh legacy database; `close` drops it. */
export async function createLegacyDatabase(): Promise<LegacyDatabase> {
  const name = `legacy_${randomBytes(6).toString('hex')}`
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  await admin.end()
  const url = new URL(ADMIN_URL)
  url.pathname = `/${name}`
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} })
  const data = buildLegacyData()
  try {
    await sql.unsafe(LEGACY_SCHEMA)
    const json = (v: unknown) => (v === null ? null : sql.json(v as never))
    await sql`insert into "user" ${sql(data.users.map((u) => ({ ...u, preferences: json(u.preferences) })))}`
    const hash = await hashPassword(LEGACY_PASSWORD)
    await sql`insert into account ${sql(
      data.users.map((u, i) => ({
        id: `acc_${i}`,
        account_id: u.id,
        provider_id: 'credential',
        user_id: u.id,
        password: hash,
        created_at: u.created_at,
        updated_at: u.updated_at,
      })),
    )}`
    await sql`insert into session ${sql(data.sessions)}`
    await sql`insert into verification ${sql(data.verifications)}`
    await sql`insert into team ${sql(data.teams.map((t) => ({ ...t, avatar: json(t.avatar) })))}`
    await sql`insert into team_member ${sql(data.members)}`
    await sql`insert into team_invite ${sql(data.invites)}`
    await sql`insert into sidekiq ${sql(
      data.sidekiqs.map((s) => ({
        ...s,
        conversation_starters: json(s.conversation_starters),
        avatar: json(s.avatar),
      })),
    )}`
    await sql`insert into thread ${sql(data.threads)}`
    for (let i = 0; i < data.messages.length; i += 200) {
      await sql`insert into message ${sql(data.messages.slice(i, i + 200))}`
    }
  } finally {
    await sql.end()
  }
  return {
    url: url.toString(),
    data,
    async close() {
      const a = postgres(ADMIN_URL, { max: 1, onnotice: () => {} })
      await a.unsafe(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}

/**
 * What the target holds before the import: someone with frank's email (not
 * verified) and gina with a verified account and her personal workspace.
 */
export async function seedTarget(db: Db) {
  for (const p of Object.values(TARGET_PEOPLE)) {
    await db.insert(user).values({ ...p, name: p.id, createdAt: new Date(BASE), updatedAt: new Date(BASE) })
  }
  await ensurePersonalWorkspace(db, { id: TARGET_PEOPLE.gina.id, name: 'Gina' })
}
