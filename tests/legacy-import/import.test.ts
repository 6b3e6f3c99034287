import { randomBytes } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type * as Y from 'yjs'
import { syncRoomWriter } from '../../app/server/sync-room-writer'
import { createAuth } from '../../db/auth/auth'
import type { Database } from '../../db/client'
import { parseEnv } from '../../db/env'
import {
  formatReport,
  importLegacy,
  openLegacySource,
  type ImportReport,
  type RoomWriter,
} from '../../db/legacy-import'
import { derivedId } from '../../db/legacy-import/ids'
import { createRevocationBus } from '../../db/revocations'
import { invitation, member, usageEvent, user, workspace } from '../../db/schema'
import { getPersonalWorkspace } from '../../db/workspaces'
import { chatToRecord, sidekiqToRecord } from '../../shared/doc'
import { findModel } from '../../shared/models'
import { chatRoomOf, privateRoom, sharedRoom } from '../../shared/rooms'
import { silentLogger } from '../../sync-server/logger'
import { createSyncServer } from '../../sync-server/server'
import { createTestDatabase } from '../helpers/database'
import { LEGACY_PASSWORD, TARGET_PEOPLE, createLegacyDatabase, seedTarget, type LegacyDatabase } from './legacy-fixture'
import { rowCounts, storedRoom, targetPicture } from './target-picture'

let legacy: LegacyDatabase
let target: Database
const env = parseEnv({
  NODE_ENV: 'test',
  BETTER_AUTH_SECRET: randomBytes(24).toString('hex'),
  BETTER_AUTH_URL: 'http://localhost:3999',
})
const revocations = createRevocationBus()

beforeAll(async () => {
  legacy = await createLegacyDatabase()
  target = await createTestDatabase()
  await seedTarget(target.db)
})
afterAll(async () => {
  await target?.close()
  await legacy?.close()
})

/** Sizes of the updates each room change stored, per room. */
const changes: { room: string; bytes: number }[] = []

function measured(inner: RoomWriter): RoomWriter {
  return {
    change(room, workspaceId, fn) {
      return inner.change(room, workspaceId, (doc: Y.Doc) => {
        let bytes = 0
        const onUpdate = (u: Uint8Array) => (bytes += u.byteLength)
        doc.on('update', onUpdate)
        try {
          return fn(doc)
        } finally {
          doc.off('update', onUpdate)
          if (bytes) changes.push({ room, bytes })
        }
      })
    },
  }
}

/** One import, as the CLI runs it: its own sync server, closed (flushed, compacted) at the end. */
async function runImport(dryRun = false): Promise<{ report: ImportReport; lines: string[] }> {
  const sync = createSyncServer({
    db: target.db,
    logWriter: target.logWriter,
    auth: createAuth(target.db, env, revocations),
    revocations,
    logger: silentLogger,
  })
  const source = await openLegacySource(legacy.url)
  const lines: string[] = []
  try {
    const report = await importLegacy({
      db: target.db,
      source,
      rooms: measured(syncRoomWriter(sync)),
      dryRun,
      log: (l) => lines.push(l),
    })
    return { report, lines }
  } finally {
    await source.close()
    await sync.close()
  }
}

const d = () => legacy.data
/** Legacy users whose content moves (frank is a conflict). */
const importedUsers = () => d().users.filter((u) => u.id !== 'u_frank')
const importedThreads = () => d().threads.filter((t) => t.user_id !== 'u_frank')
const messagesOf = (threadId: string) => d().messages.filter((m) => m.thread_id === threadId)
const answersWithTokens = () =>
  importedThreads().flatMap((t) =>
    messagesOf(t.id).filter((m) => m.role === 'assistant' && (m.input_tokens !== null || m.output_tokens !== null)),
  )

async function targetUserId(legacyId: string): Promise<string> {
  if (legacyId === 'u_gina') return TARGET_PEOPLE.gina.id
  const email = d()
    .users.find((u) => u.id === legacyId)!
    .email.toLowerCase()
  const [row] = await target.db.select({ id: user.id }).from(user).where(eq(user.email, email))
  return row.id
}

async function personalRoomOf(legacyId: string) {
  const userId = await targetUserId(legacyId)
  const ws = (await getPersonalWorkspace(target.db, userId))!
  return { userId, workspaceId: ws.id, shared: sharedRoom(ws.id), private: privateRoom(ws.id, userId) }
}

/** A chat as stored (decision 021): its entry in the index room, its messages in its own room. */
async function storedChat(indexRoom: string, chatId: string) {
  const index = await storedRoom(target.db, indexRoom)
  const room = await storedRoom(target.db, chatRoomOf(indexRoom, chatId))
  try {
    return chatToRecord(index, chatId, room)
  } finally {
    index.destroy()
    room.destroy()
  }
}

async function workspaceByName(name: string) {
  const [ws] = await target.db.select().from(workspace).where(eq(workspace.name, name))
  return ws
}

let dryRun: ImportReport

describe('importing the team-based app', () => {
  test('a dry run writes nothing and says what would move', async () => {
    const countsBefore = await rowCounts(target.db)
    const pictureBefore = await targetPicture(target.db)
    const { report, lines } = await runImport(true)
    dryRun = report
    expect(await rowCounts(target.db)).toEqual(countsBefore)
    expect(await targetPicture(target.db)).toEqual(pictureBefore)
    expect(report.changed).toEqual(Object.fromEntries(Object.keys(report.changed).map((k) => [k, 0])))

    expect(report.source).toMatchObject({
      user: d().users.length,
      team: 2,
      team_member: d().members.length,
      team_invite: d().invites.length,
      sidekiq: d().sidekiqs.length,
      thread: d().threads.length,
      message: d().messages.length,
      session: 1,
      verification: 1,
    })
    expect(report.planned).toEqual({
      users: importedUsers().length - 1, // gina is matched to her account here
      accounts: importedUsers().length - 1,
      personalWorkspaces: importedUsers().length - 1, // gina has hers
      workspaces: 2,
      members: 4 + 3, // Acme: alice, bob, carol, gina; Beta: carol (owner, added), bob, dave
      invitations: 3,
      sidekiqs: 4,
      chats: importedThreads().length,
      messages: importedThreads().reduce((n, t) => n + messagesOf(t.id).length, 0),
      usageEvents: answersWithTokens().length,
    })
    const acme = report.workspaces.find((w) => w.key === 'team:team_acme')!
    expect(acme).toMatchObject({ members: 4, invitations: 2, sidekiqs: 1, chats: 0 })
    const reasons = report.skipped.map((s) => `${s.table} ${s.id}: ${s.reason}`)
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^user u_frank: conflict/),
        'team_invite inv_expired: expired',
        'team_invite inv_accepted: accepted',
        'team_invite inv_rejected: rejected',
        'team_invite inv_member: already a member',
        'team_invite inv_new1_old: a newer pending invitation to the same email exists',
        'thread th_frank: its user was not imported',
        'sidekiq sk_frank: its owner was not imported',
      ]),
    )
    const text = formatReport(report)
    expect(text).toMatch(/Dry run: nothing was written/)
    expect(text).toMatch(/sessions and 1 verifications not imported/)
    expect(text).toMatch(/favoriteModels of 1 users not carried/)
    expect(text).toMatch(/can_team_edit of 1 team sidekiqs not carried/)
    expect(text).toMatch(/1 legacy owners beside a team's owner imported as admins.*team:beta\/2\/u_dave/)
    expect(lines.some((l) => /^threads \d+\/\d+/.test(l))).toBe(true)
  })

  test('a real run writes what the dry run said, and carries every thread, message, member and invitation', async () => {
    changes.length = 0
    const { report } = await runImport()
    expect(report.changed).toEqual(dryRun.planned)
    expect(report.planned).toEqual(dryRun.planned)

    // Users keep their ids (one not fit for room names gets a derived one); frank is not imported.
    const ids = (await target.db.select({ id: user.id }).from(user)).map((u) => u.id).sort()
    expect(ids).toEqual(
      ['u_alice', 'u_bob', 'u_carol', 'u_dave', derivedId('user', 'u.erin'), 'target_frank', 'target_gina'].sort(),
    )

    // Teams: workspaces with their members and roles, one owner each.
    const acme = await workspaceByName('Acme')
    const beta = await workspaceByName('Beta Crew')
    expect(acme).toMatchObject({ id: 'team_acme', slug: 'acme', ownerId: 'u_alice', isPersonal: false, plan: 'free' })
    expect(JSON.parse(acme.metadata!)).toEqual({
      legacyTeamId: 'team_acme',
      avatar: { type: 'emoji', color: '#ff0000', emoji: '🚀' },
    })
    expect(beta).toMatchObject({ id: derivedId('team', 'team:beta/2'), slug: 'beta-crew', ownerId: 'u_carol' })
    const rolesOf = async (workspaceId: string) =>
      Object.fromEntries(
        (await target.db.select().from(member).where(eq(member.workspaceId, workspaceId))).map((m) => [
          m.userId,
          m.role,
        ]),
      )
    expect(await rolesOf(acme.id)).toEqual({
      u_alice: 'owner',
      u_bob: 'admin',
      u_carol: 'member',
      target_gina: 'member',
    })
    expect(await rolesOf(beta.id)).toEqual({ u_carol: 'owner', u_bob: 'member', u_dave: 'admin' })
    const [bobInAcme] = await target.db
      .select()
      .from(member)
      .where(and(eq(member.workspaceId, acme.id), eq(member.userId, 'u_bob')))
    expect(bobInAcme.createdAt.getTime()).toBe(
      d()
        .members.find((m) => m.user_id === 'u_bob')!
        .joined_at.getTime(),
    )

    // Alice's preferred model is her default in the memberships the import made.
    const alice = await target.db.select().from(member).where(eq(member.userId, 'u_alice'))
    expect(alice.map((m) => m.defaultModel)).toEqual(['openai:gpt-4o', 'openai:gpt-4o'])

    // Pending, unexpired invitations only; the newest per email; the old link's token is the id.
    const invitations = await target.db.select().from(invitation)
    expect(
      invitations.map((i) => ({ id: i.id, ws: i.workspaceId, email: i.email, role: i.role, status: i.status })),
    ).toEqual(
      expect.arrayContaining([
        {
          id: 'tok_new1_aaaaaaaaaaaaaaaaaaaa',
          ws: acme.id,
          email: 'new1@example.com',
          role: 'member',
          status: 'pending',
        },
        {
          id: derivedId('invitation', 'short'),
          ws: acme.id,
          email: 'adm@example.com',
          role: 'admin',
          status: 'pending',
        },
        { id: 'tok_beta_gggggggggggggggggggg', ws: beta.id, email: 'x@example.com', role: 'admin', status: 'pending' },
      ]),
    )
    expect(invitations).toHaveLength(3)
    expect(invitations.every((i) => i.inviterId === (i.workspaceId === acme.id ? 'u_alice' : 'u_carol'))).toBe(true)

    // Sidekiqs: team ones in the team's shared room, personal ones in their owner's.
    const acmeRoom = await storedRoom(target.db, sharedRoom(acme.id))
    expect(sidekiqToRecord(acmeRoom, 'sk_team')).toMatchObject({
      name: 'Acme Helper',
      instructions: 'Know Acme.',
      model: 'openai:gpt-4o-mini',
      avatar: { kind: 'initials', value: 'AH', color: '#123456' },
      createdBy: 'u_bob',
    })
    const betaRoom = await storedRoom(target.db, sharedRoom(beta.id))
    expect(sidekiqToRecord(betaRoom, 'sk_beta')).toMatchObject({
      conversationStarters: ['1', '2', '3', '4', '5', '6'],
      model: 'anthropic:claude-sonnet-4-0',
      avatar: { kind: 'initials', value: 'BB' },
    })
    const aliceRooms = await personalRoomOf('u_alice')
    expect(sidekiqToRecord(await storedRoom(target.db, aliceRooms.shared), 'sk_writer')).toMatchObject({
      conversationStarters: ['Draft an email', 'Summarize this'],
      avatar: { kind: 'emoji', value: '✍️' },
      favorite: true,
      model: 'openai:gpt-4o-mini',
      createdBy: 'u_alice',
      createdAt: d().sidekiqs[0].created_at.getTime(),
    })
    const erinRooms = await personalRoomOf('u.erin')
    expect(sidekiqToRecord(await storedRoom(target.db, erinRooms.shared), 'sk_erin')?.name).toBe('Writer')

    // Every thread is a chat in its person's private room, every message with its text, role, model and tokens.
    for (const thread of importedThreads()) {
      const rooms = await personalRoomOf(thread.user_id)
      const chatId = thread.id === 'thread/odd' ? derivedId('chat', 'thread/odd') : thread.id
      const chat = await storedChat(rooms.private, chatId)
      expect(chat, thread.id).not.toBeNull()
      expect(chat!.title).toBe(thread.title.trim())
      expect(chat!.createdBy).toBe(rooms.userId)
      expect(chat!.createdAt).toBe(thread.created_at.getTime())
      expect(chat!.pinned).toBe(thread.is_pinned)
      expect(chat!.archived).toBe(thread.is_archived)
      const legacyMessages = messagesOf(thread.id)
      expect(chat!.messages.map((m) => m.content)).toEqual(legacyMessages.map((m) => m.content))
      expect(chat!.messages.map((m) => m.role)).toEqual(legacyMessages.map((m) => m.role))
      chat!.messages.forEach((m, i) => {
        const l = legacyMessages[i]
        expect(m.status).toBe('done')
        expect(m.authorId).toBe(rooms.userId)
        expect(m.createdAt).toBe(l.created_at.getTime())
        if (l.model) expect(m.model === l.model || m.model?.endsWith(`:${l.model.replace(/^[a-z]+\//, '')}`)).toBe(true)
        if (l.input_tokens !== null || l.output_tokens !== null) {
          expect(m.usage).toMatchObject({ inputTokens: l.input_tokens ?? 0, outputTokens: l.output_tokens ?? 0 })
        } else expect(m.usage).toBeUndefined()
      })
    }

    const a1 = (await storedChat(aliceRooms.private, 'th_a1'))!
    expect(a1).toMatchObject({ sidekiqId: 'sk_writer', sidekiqName: 'Writer', model: 'openai:gpt-4o', pinned: true })
    expect(a1.messages[2]).toMatchObject({ replyTo: 'a1_q1', model: 'openai:gpt-4o-mini' })
    expect(a1.messages[2].usage!.costMicros).toBe(
      Math.ceil((100 * findModel('openai:gpt-4o-mini')!.inputMicrosPerMillion + 50 * 600_000) / 1_000_000),
    )
    expect(a1.messages[3].id).toBe(derivedId('message', 'a1 q2'))
    expect(a1.messages[4]).toMatchObject({ id: derivedId('message', 'a1/a2'), replyTo: a1.messages[3].id })
    expect(a1.messages[4].model).toBe('mystery-model')
    expect(a1.messages[4].usage?.costMicros).toBeUndefined()
    expect(a1.messages[5].replyTo).toBeUndefined()
    // A team sidekiq is not in the personal workspace: the chat keeps its name only.
    const a2 = (await storedChat(aliceRooms.private, 'th_a2'))!
    expect(a2).toMatchObject({ sidekiqName: 'Acme Helper', archived: true })
    expect(a2.sidekiqId).toBeUndefined()
    const b1 = (await storedChat((await personalRoomOf('u_bob')).private, 'th_b1'))!
    expect(b1).toMatchObject({ sidekiqName: 'Old Bot', model: 'anthropic:claude-3-5-haiku-latest' })
    // The matched person's chat is in her existing personal workspace.
    const gina = await personalRoomOf('u_gina')
    expect(await storedChat(gina.private, 'th_gina')).not.toBeNull()

    // The long thread was written in more than one update, none of them huge.
    const erinChanges = changes.filter((c) => c.room === chatRoomOf(erinRooms.private, 'th_long'))
    expect(erinChanges.length).toBeGreaterThan(1)
    expect(Math.max(...changes.map((c) => c.bytes))).toBeLessThan(1.1 * 1024 * 1024)
    expect((await storedChat(erinRooms.private, 'th_long'))!.messages).toHaveLength(300)

    // Usage history: one event per answer with tokens, in the asker's personal workspace.
    const events = await target.db.select().from(usageEvent)
    expect(events).toHaveLength(answersWithTokens().length)
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
    expect(sum(events.map((e) => e.inputTokens))).toBe(sum(answersWithTokens().map((m) => m.input_tokens ?? 0)))
    expect(sum(events.map((e) => e.outputTokens))).toBe(sum(answersWithTokens().map((m) => m.output_tokens ?? 0)))
    const a1Event = events.find((e) => e.id === `legacy:th_a1_m2`)!
    expect(a1Event).toMatchObject({ workspaceId: aliceRooms.workspaceId, userId: 'u_alice', kind: 'answer' })
    expect(a1Event.costMicros).toBe(a1.messages[2].usage!.costMicros)
    expect(a1Event.startedAt.getTime()).toBe(a1.messages[2].createdAt)
    expect(events.find((e) => e.model === 'mystery-model')!.costMicros).toBe(0)
  })

  test('a second run changes nothing', async () => {
    const counts = await rowCounts(target.db)
    const picture = await targetPicture(target.db)
    const { report } = await runImport()
    expect(report.changed).toEqual(Object.fromEntries(Object.keys(report.changed).map((k) => [k, 0])))
    expect(await rowCounts(target.db)).toEqual(counts)
    expect(await targetPicture(target.db)).toEqual(picture)
    expect(formatReport(report)).toMatch(/0 chats created, 0 messages added/)
  })

  test('old passwords keep working', async () => {
    const auth = createAuth(target.db, env, revocations)
    for (const email of ['alice@example.com', 'erin@example.com']) {
      const result = await auth.api.signInEmail({ body: { email, password: LEGACY_PASSWORD } })
      expect(result.user.email).toBe(email)
    }
  })
})
