import { readFileSync } from 'node:fs'
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, test } from 'vitest'
import { workspace } from '../db/schema'
import type * as Y from 'yjs'
import {
  appendMessage,
  chatRecords,
  createChat,
  createSidekiq,
  getChat,
  getChatMessages,
  listChats,
  openChatRoom,
  type ChatRecord,
  listSidekiqs,
  setArchived,
  setChatModel,
  setMessageStatus,
  setPinned,
  sidekiqRecords,
} from '../shared/doc'
import { PLANS } from '../shared/plans'
import { chatRoomOf, privateRoom, sharedRoom } from '../shared/rooms'
import { EXPORT_FILE_VERSION, type WorkspaceFile } from '../shared/schemas/workspace-export'
import { addMember, errorOf, invitationRows, outboxFor, poll, setPlan, workspaceRow } from './helpers/fixtures'
import { signUp, type TestClient } from './helpers/harness'
import { roundTrip, storedDoc, teamWithEveryRole, until, type Team } from './sync/sync-clients'
import { useSyncSuite } from './sync/sync-suite'

/**
 * Workspace export and import over the real API (decision 020): a workspace
 * built by its people through the sync server, exported by its owner,
 * imported as a new workspace, and compared field by field.
 */

const suite = useSyncSuite()
const { join } = suite

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0)
const idOf = (c: TestClient) => c.user!.id

/** `client`'s provider on the room of chat `chatId` listed in `index`, the room opened as the chat's. */
async function chatRoomPeer(index: string, client: TestClient, chatId: string) {
  const peer = await join(chatRoomOf(index, chatId), client)
  openChatRoom(peer.doc, chatId)
  return peer
}

/**
 * Every chat an index room lists, as stored: its entry from the index room,
 * its messages from its own room (decision 021).
 */
async function storedChats(indexRoom: string): Promise<ChatRecord[]> {
  const index = await storedDoc(suite.h, indexRoom)
  const rooms = new Map<string, Y.Doc>()
  for (const chat of listChats(index)) rooms.set(chat.id, await storedDoc(suite.h, chatRoomOf(indexRoom, chat.id)))
  return chatRecords(index, (id) => rooms.get(id) ?? null)
}

/** A stored chat with its messages and the index's activity. */
async function storedChat(indexRoom: string, chatId: string) {
  return getChat(await storedDoc(suite.h, indexRoom), chatId, await storedDoc(suite.h, chatRoomOf(indexRoom, chatId)))
}

/**
 * A workspace with a default model, sidekiqs by two people, shared chats
 * with answers (usage and timing), a reply, an error, a pinned and an
 * archived chat, the owner's private chats and an admin's private chat.
 * Everything is written by the people's own providers, each chat listed in
 * its index room and its messages in its own room, and held by the server.
 */
async function builtWorkspace(team: Team) {
  const { owner, admin, member } = team.byRole
  expect(
    (await owner.post(`/api/workspaces/${team.ws.id}/default-model`, { model: 'openai:gpt-4o-mini' })).status,
  ).toBe(200)
  const o = await join(team.shared, owner)
  const m = await join(team.shared, member)
  const oPrivate = await join(team.privateOf(owner), owner)
  const aPrivate = await join(team.privateOf(admin), admin)

  const writer = createSidekiq(o.doc, {
    name: 'Writer',
    description: 'Tightens prose',
    instructions: 'Answer in plain English.',
    conversationStarters: ['Shorten this', 'Fix my grammar'],
    model: 'openai:gpt-4o-mini',
    avatar: { kind: 'initials', value: 'WR', color: '#d97706' },
    favorite: true,
    createdBy: idOf(owner),
    createdAt: T0,
  })
  createSidekiq(m.doc, { name: 'Reviewer', model: 'demo', createdBy: idOf(member), createdAt: T0 + 1 })

  const talk = createChat(o.doc, {
    title: 'Launch plan',
    createdBy: idOf(owner),
    createdAt: T0 + 10,
    sidekiqId: writer.id,
    sidekiqName: writer.name,
  })
  const talkO = await chatRoomPeer(team.shared, owner, talk.id)
  appendMessage(talkO.doc, talk.id, {
    role: 'user',
    authorId: idOf(owner),
    content: 'Draft the launch note',
    createdAt: T0 + 11,
  })
  const answer = appendMessage(talkO.doc, talk.id, {
    role: 'assistant',
    authorId: 'assistant',
    status: 'streaming',
    content: 'Here is a **draft**.',
    createdAt: T0 + 12,
    model: 'openai:gpt-4o-mini',
  })
  setMessageStatus(talkO.doc, talk.id, answer.id, {
    status: 'done',
    usage: { inputTokens: 120, outputTokens: 48, costMicros: 47 },
    timing: { firstTokenMs: 310, durationMs: 1840 },
  })
  setPinned(o.doc, talk.id, true)
  // The member replies once the answer has reached them.
  const talkM = await join(chatRoomOf(team.shared, talk.id), member)
  await until(
    () => getChatMessages(talkM.doc, talk.id)?.length ?? 0,
    (n) => n === 2,
  )
  appendMessage(talkM.doc, talk.id, {
    role: 'user',
    authorId: idOf(member),
    content: 'Shorter, please',
    createdAt: T0 + 13,
    replyTo: answer.id,
  })
  appendMessage(talkM.doc, talk.id, {
    role: 'assistant',
    authorId: 'assistant',
    status: 'error',
    error: 'The model is not available',
    createdAt: T0 + 14,
    model: 'openai:gpt-4o-mini',
  })
  const old = createChat(m.doc, { title: 'Old notes', createdBy: idOf(member), createdAt: T0 + 20 })
  setChatModel(m.doc, old.id, 'demo')
  const oldM = await chatRoomPeer(team.shared, member, old.id)
  appendMessage(oldM.doc, old.id, {
    role: 'user',
    authorId: idOf(member),
    content: 'Archived talk',
    createdAt: T0 + 21,
  })
  setArchived(m.doc, old.id, true)

  const mine = createChat(oPrivate.doc, { title: 'My drafts', createdBy: idOf(owner), createdAt: T0 + 30 })
  const mineO = await chatRoomPeer(team.privateOf(owner), owner, mine.id)
  appendMessage(mineO.doc, mine.id, {
    role: 'user',
    authorId: idOf(owner),
    content: 'Owner thinking aloud',
    createdAt: T0 + 31,
  })
  const secret = createChat(aPrivate.doc, { title: 'Admin secret', createdBy: idOf(admin), createdAt: T0 + 40 })
  const secretA = await chatRoomPeer(team.privateOf(admin), admin, secret.id)
  appendMessage(secretA.doc, secret.id, {
    role: 'user',
    authorId: idOf(admin),
    content: 'SECRET-OF-THE-ADMIN',
    createdAt: T0 + 41,
  })
  await Promise.all([o, m, oPrivate, aPrivate, talkO, talkM, oldM, mineO, secretA].map((p) => roundTrip(p)))
  // The server writes each chat's activity into its index entry (paced, a moment after the room's
  // change is stored): wait until storage holds it, so what is read later is what an export reads.
  const counted = async (index: string, want: Record<string, number>) =>
    poll(
      async () => Object.fromEntries(listChats(await storedDoc(suite.h, index)).map((c) => [c.id, c.messageCount])),
      (counts) => Object.entries(want).every(([id, n]) => counts[id] === n),
    )
  await counted(team.shared, { [talk.id]: 4, [old.id]: 1 })
  await counted(team.privateOf(owner), { [mine.id]: 1 })
  return { secretChatId: secret.id }
}

const exportOf = async (client: TestClient, workspaceId: string) => client.get(`/api/workspaces/${workspaceId}/export`)

async function accept(client: TestClient, workspaceId: string) {
  const invitation = (await invitationRows(suite.h, workspaceId)).find((i) => i.email === client.user!.email)
  expect(invitation).toBeDefined()
  expect((await client.post('/api/auth/organization/accept-invitation', { invitationId: invitation!.id })).status).toBe(
    200,
  )
}

describe('exporting a workspace', () => {
  test('the owner downloads settings, members, sidekiqs, shared chats and only their own private chats', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { secretChatId } = await builtWorkspace(team)

    const res = await suite.h.fetchApi(`/api/workspaces/${team.ws.id}/export`, {
      headers: { cookie: team.byRole.owner.cookie },
    })
    expect(res.status).toBe(200)
    const today = new Date().toISOString().slice(0, 10)
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="${team.ws.slug}-${today}.workspace.json"`,
    )
    const text = await res.text()
    const file = JSON.parse(text) as WorkspaceFile
    expect(file).toMatchObject({
      format: 'workspaces.workspace',
      version: EXPORT_FILE_VERSION,
      workspace: { name: team.ws.name, defaultModel: 'openai:gpt-4o-mini' },
    })
    expect(Date.parse(file.exportedAt)).toBeGreaterThan(Date.now() - 60_000)
    expect(file.members).toEqual(
      (['owner', 'admin', 'member', 'viewer'] as const).map((role) => ({
        email: team.byRole[role].user!.email,
        name: team.byRole[role].user!.name,
        role,
      })),
    )
    const shared = await storedDoc(suite.h, team.shared)
    expect(file.sidekiqs).toEqual(sidekiqRecords(shared))
    expect(file.sidekiqs.map((s) => s.name)).toEqual(expect.arrayContaining(['Writer', 'Reviewer']))
    expect(file.sharedChats).toEqual(await storedChats(team.shared))
    expect(file.sharedChats.map((c) => c.title).sort()).toEqual(['Launch plan', 'Old notes'])
    const launch = file.sharedChats.find((c) => c.title === 'Launch plan')!
    expect(launch).toMatchObject({ pinned: true, archived: false, sidekiqName: 'Writer', updatedAt: T0 + 14 })
    expect(launch.messages.map((msg) => msg.status)).toEqual(['done', 'done', 'done', 'error'])
    expect(launch.messages[1]).toMatchObject({
      usage: { inputTokens: 120, outputTokens: 48, costMicros: 47 },
      timing: { firstTokenMs: 310, durationMs: 1840 },
    })
    expect(launch.messages[2].replyTo).toBe(launch.messages[1].id)
    expect(launch.messages[3].error).toBe('The model is not available')
    expect(file.sharedChats.find((c) => c.title === 'Old notes')).toMatchObject({ archived: true, model: 'demo' })
    expect(file.privateChats.map((c) => c.title)).toEqual(['My drafts'])
    // Not a trace of another member's private room.
    expect(text).not.toContain('SECRET-OF-THE-ADMIN')
    expect(text).not.toContain(secretChatId)
    expect(text).not.toContain('Admin secret')
  })

  test('only the owner may: admins, members and viewers are refused, non-members told it does not exist', async () => {
    const team = await teamWithEveryRole(suite.h)
    for (const role of ['admin', 'member', 'viewer'] as const) {
      const res = await exportOf(team.byRole[role], team.ws.id)
      expect(res.status).toBe(403)
      expect(errorOf(res).code).toBe('FORBIDDEN')
    }
    const stranger = await signUp(suite.h, 'Stranger')
    expect((await exportOf(stranger, team.ws.id)).status).toBe(404)
    expect((await exportOf(stranger, 'no-such-workspace')).status).toBe(404)
    expect((await suite.h.fetchApi(`/api/workspaces/${team.ws.id}/export`)).status).toBe(401)
  })

  test('a default model the catalog no longer knows is exported as none, so the file stays importable', async () => {
    const team = await teamWithEveryRole(suite.h)
    await suite.h.db.update(workspace).set({ defaultModel: 'retired:model' }).where(eq(workspace.id, team.ws.id))
    const file = (await exportOf(team.byRole.owner, team.ws.id)).body as WorkspaceFile
    expect(file.workspace.defaultModel).toBeNull()
    expect((await team.byRole.owner.post('/api/workspaces/import', file)).status).toBe(201)
  })
})

describe('importing a workspace', () => {
  test('round trip: the new workspace equals the original, field by field, and exports the same file', async () => {
    const team = await teamWithEveryRole(suite.h)
    await builtWorkspace(team)
    const { owner, admin, member, viewer } = team.byRole
    const first = (await exportOf(owner, team.ws.id)).body as WorkspaceFile

    const res = await owner.post('/api/workspaces/import', first)
    expect(res.status).toBe(201)
    const created = res.body.workspace as { id: string; slug: string; name: string }
    expect(created.name).toBe(team.ws.name)
    expect(created.id).not.toBe(team.ws.id)
    expect(created.slug).not.toBe(team.ws.slug)
    expect(res.body.invited).toEqual([
      { email: admin.user!.email, role: 'admin' },
      { email: member.user!.email, role: 'member' },
      { email: viewer.user!.email, role: 'viewer' },
    ])
    expect(res.body.notInvited).toEqual([])

    // Settings: as the file says; the workspace is the importer's, on the free plan.
    const row = await workspaceRow(suite.h, created.id)
    expect(row).toMatchObject({
      name: team.ws.name,
      slug: created.slug,
      defaultModel: 'openai:gpt-4o-mini',
      ownerId: owner.user!.id,
      isPersonal: false,
      plan: 'free',
      stripeCustomerId: null,
    })
    const bySlug = await owner.get(`/api/workspaces/by-slug/${created.slug}`)
    expect(bySlug.status).toBe(200)
    expect(bySlug.body.role).toBe('owner')
    expect(bySlug.body.workspace.memberCount).toBe(1)

    // Content, read back through the document model from storage: equal to the original's, each
    // chat listed in the index (its activity included) and its messages in a room of its own.
    const newShared = sharedRoom(created.id)
    const [before, after] = [await storedDoc(suite.h, team.shared), await storedDoc(suite.h, newShared)]
    expect(listSidekiqs(after)).toEqual(listSidekiqs(before))
    expect(listChats(after)).toEqual(listChats(before))
    expect(
      listChats(after)
        .map((c) => c.messageCount)
        .sort(),
    ).toEqual([1, 4])
    for (const chat of listChats(before)) {
      expect(await storedChat(newShared, chat.id)).toEqual(await storedChat(team.shared, chat.id))
      expect(getChatMessages(after, chat.id)).toBeNull()
    }
    expect(await storedChats(privateRoom(created.id, owner.user!.id))).toEqual(await storedChats(team.privateOf(owner)))
    const launch = listChats(after).find((c) => c.title === 'Launch plan')!
    expect(
      (await storedChat(newShared, launch.id))!.messages.map((msg) => [msg.status, msg.usage, msg.timing, msg.replyTo]),
    ).toEqual(
      (await storedChat(team.shared, launch.id))!.messages.map((msg) => [
        msg.status,
        msg.usage,
        msg.timing,
        msg.replyTo,
      ]),
    )

    // The sync server serves the new rooms to the owner at once: the index, and a chat's own room.
    const live = await join(newShared, owner)
    expect(listChats(live.doc)).toEqual(listChats(before))
    const liveChat = await join(chatRoomOf(newShared, launch.id), owner)
    expect(getChatMessages(liveChat.doc, launch.id)?.map((msg) => msg.content)).toEqual(
      (await storedChat(team.shared, launch.id))!.messages.map((msg) => msg.content),
    )

    // People: invited with their roles, each told by email; members once they accept.
    const invitations = await invitationRows(suite.h, created.id)
    expect(invitations.map((i) => [i.email, i.role, i.status, i.inviterId]).sort()).toEqual(
      [
        [admin.user!.email, 'admin', 'pending', owner.user!.id],
        [member.user!.email, 'member', 'pending', owner.user!.id],
        [viewer.user!.email, 'viewer', 'pending', owner.user!.id],
      ].sort(),
    )
    for (const person of [admin, member, viewer]) {
      expect((await outboxFor(suite.h, person.user!.email)).map((mail) => mail.subject)).toContain(
        `${owner.user!.name} invited you to ${team.ws.name} on Workspaces`,
      )
      await accept(person, created.id)
    }

    const second = (await exportOf(owner, created.id)).body as WorkspaceFile
    expect(second.members).toEqual(first.members)
    expect({ ...second, exportedAt: null }).toEqual({ ...first, exportedAt: null })
  })

  test('a file written by the previous version (each chat with its messages) imports into rooms of their own', async () => {
    // Made by the app before decision 021 (commit 1bfc74e), from a workspace whose rooms held chats with their messages.
    const file = JSON.parse(
      readFileSync(new URL('./fixtures/workspace-file-v1.json', import.meta.url), 'utf8'),
    ) as WorkspaceFile
    const person = await signUp(suite.h, 'Keeper of old files')
    const res = await person.post('/api/workspaces/import', file)
    expect(res.status).toBe(201)
    const id = res.body.workspace.id as string
    const index = await storedDoc(suite.h, sharedRoom(id))
    // The index lists each chat, its activity computed from its messages; the messages are in the chat's room.
    expect(listChats(index).map((c) => [c.id, c.messageCount, c.lastRole ?? null, c.preview ?? null])).toEqual([
      ['chat-launch', 4, 'assistant', ''],
      ['chat-empty', 0, null, null],
      ['chat-old', 1, 'user', 'Archived talk'],
    ])
    expect(getChatMessages(index, 'chat-launch')).toBeNull()
    expect(await storedChats(sharedRoom(id))).toEqual(file.sharedChats)
    expect(await storedChats(privateRoom(id, person.user!.id))).toEqual(file.privateChats)
    const again = (await exportOf(person, id)).body as WorkspaceFile
    expect([again.sidekiqs, again.sharedChats, again.privateChats]).toEqual([
      file.sidekiqs,
      file.sharedChats,
      file.privateChats,
    ])
  })

  test('content is never dropped; people past the plan’s invitation limit are reported, not invited', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { owner } = team.byRole
    const extra = await signUp(suite.h, 'Extra')
    await addMember(suite.h, team.ws.id, extra.user!.id, 'member')
    await setPlan(suite.h, team.ws.id, 'pro')
    const o = await join(team.shared, owner)
    const free = PLANS.free.limits.sidekiqs!
    for (let i = 0; i <= free; i++) createSidekiq(o.doc, { name: `Helper ${i}`, model: 'demo', createdBy: idOf(owner) })
    await roundTrip(o)
    const file = (await exportOf(owner, team.ws.id)).body as WorkspaceFile
    expect(file.sidekiqs).toHaveLength(free + 1)

    const res = await owner.post('/api/workspaces/import', file)
    expect(res.status).toBe(201)
    const id = res.body.workspace.id as string
    // Free plan: three pending invitations at a time; admins go first.
    expect(res.body.invited.map((i: { role: string }) => i.role)).toEqual(['admin', 'member', 'member'])
    expect(res.body.notInvited).toEqual([
      { email: team.byRole.viewer.user!.email, role: 'viewer', reason: 'At most 3 pending invitations on this plan' },
    ])
    expect(await invitationRows(suite.h, id)).toHaveLength(PLANS.free.limits.pendingInvitations)
    expect((await workspaceRow(suite.h, id))!.plan).toBe('free')
    // Every sidekiq stays, past the free plan's limit, and loading the room keeps them.
    const live = await join(sharedRoom(id), owner)
    expect(listSidekiqs(live.doc)).toHaveLength(free + 1)
    expect(listSidekiqs(await storedDoc(suite.h, sharedRoom(id)))).toHaveLength(free + 1)
  })

  test('someone else importing the file owns the copy; the file’s owner is invited as admin', async () => {
    const team = await teamWithEveryRole(suite.h)
    await builtWorkspace(team)
    const file = (await exportOf(team.byRole.owner, team.ws.id)).body as WorkspaceFile
    const other = await signUp(suite.h, 'Other')
    const res = await other.post('/api/workspaces/import', file)
    expect(res.status).toBe(201)
    const id = res.body.workspace.id as string
    expect((await workspaceRow(suite.h, id))!.ownerId).toBe(other.user!.id)
    expect(res.body.invited.map((i: { email: string; role: string }) => [i.email, i.role])).toEqual([
      [team.byRole.owner.user!.email, 'admin'],
      [team.byRole.admin.user!.email, 'admin'],
      [team.byRole.member.user!.email, 'member'],
    ])
    expect(res.body.notInvited.map((i: { email: string }) => i.email)).toEqual([team.byRole.viewer.user!.email])
    // The file's private chats are the importer's now; the exporter has no private room there.
    expect(await storedChats(privateRoom(id, other.user!.id))).toEqual(file.privateChats)
    expect(await storedChats(privateRoom(id, team.byRole.owner.user!.id))).toEqual([])
  })

  test('a name whose slug is reserved or taken still gets a free address', async () => {
    const person = await signUp(suite.h, 'Person')
    const file = {
      format: 'workspaces.workspace',
      version: 1,
      exportedAt: new Date().toISOString(),
      workspace: { name: 'New', defaultModel: null },
      members: [],
      sidekiqs: [],
      sharedChats: [],
      privateChats: [],
    }
    const a = await person.post('/api/workspaces/import', file)
    const b = await person.post('/api/workspaces/import', file)
    expect([a.status, b.status]).toEqual([201, 201])
    expect(a.body.workspace.slug).toBe('ws-new')
    expect(b.body.workspace.slug).toMatch(/^ws-new-[0-9a-f]{6}$/)
    expect(a.body).toMatchObject({ invited: [], notInvited: [] })
  })
})

describe('refused imports', () => {
  const valid = () => ({
    format: 'workspaces.workspace',
    version: 1,
    exportedAt: '2026-12-04T10:00:00.000Z',
    workspace: { name: 'Acme', defaultModel: null },
    members: [{ email: 'someone@example.test', name: 'Someone', role: 'member' }],
    sidekiqs: [],
    sharedChats: [],
    privateChats: [],
  })
  let person: TestClient
  beforeAll(async () => {
    person = await signUp(suite.h, 'Importer')
  })
  const workspaceCount = async () => (await person.get('/api/workspaces')).body.workspaces.length

  test.each([
    {
      name: 'a bad field deep in a chat',
      file: () => ({
        ...valid(),
        sharedChats: [
          {
            id: 'c1',
            title: 'T',
            createdBy: 'u1',
            createdAt: 1,
            updatedAt: 1,
            pinned: false,
            archived: false,
            messages: [{ id: 'm1', role: 'robot', authorId: 'u1', content: 'x', createdAt: 1, status: 'done' }],
          },
        ],
      }),
      fields: { 'sharedChats.0.messages.0.role': expect.any(String) },
    },
    {
      name: 'an unknown field',
      file: () => ({ ...valid(), workspace: { name: 'Acme', defaultModel: null, plan: 'team' } }),
      fields: { 'workspace.plan': 'Unknown field' },
    },
    {
      name: 'an unknown default model',
      file: () => ({ ...valid(), workspace: { name: 'Acme', defaultModel: 'nope:model' } }),
      fields: { 'workspace.defaultModel': 'Unknown model' },
    },
    {
      name: 'the same member twice',
      file: () => ({ ...valid(), members: [...valid().members, ...valid().members] }),
      fields: { 'members.1': 'Repeats an email' },
    },
    {
      name: 'a file of another kind',
      file: () => ({ ...valid(), format: 'workspaces.sidekiq' }),
      fields: { format: 'Not a workspace file (expected format "workspaces.workspace")' },
    },
    {
      name: 'a file from a newer version',
      file: () => ({ ...valid(), version: 2, somethingNew: true }),
      fields: { version: `Newer than ${EXPORT_FILE_VERSION}` },
    },
    { name: 'not an object', file: () => ['workspaces.workspace'], fields: { _: expect.any(String) } },
  ])('$name is a 400 naming the field, and creates nothing', async ({ file, fields }) => {
    const before = await workspaceCount()
    const res = await person.post('/api/workspaces/import', file())
    expect(res.status).toBe(400)
    expect(errorOf(res)).toMatchObject({ code: 'BAD_REQUEST', fields })
    expect(await workspaceCount()).toBe(before)
  })

  test('a newer version is refused for its version, in words a person understands', async () => {
    const res = await person.post('/api/workspaces/import', { ...valid(), version: 3 })
    expect(errorOf(res).message).toMatch(/made by a newer version of Workspaces \(format version 3; .* reads up to 1\)/)
  })

  test('malformed JSON is a 400; signed out is a 401; GET is not allowed', async () => {
    const res = await person.request('POST', '/api/workspaces/import', '{"format": ')
    expect(res.status).toBe(400)
    expect(errorOf(res).fields).toEqual({ _: 'Malformed JSON' })
    const anonymous = await suite.h.fetchApi('/api/workspaces/import', {
      method: 'POST',
      headers: { origin: 'http://localhost:3999', 'content-type': 'application/json' },
      body: JSON.stringify(valid()),
    })
    expect(anonymous.status).toBe(401)
    expect((await person.get('/api/workspaces/import')).status).toBe(405)
  })

  test('the importer is never invited to their own copy', async () => {
    const res = await person.post('/api/workspaces/import', {
      ...valid(),
      members: [{ email: person.user!.email.toUpperCase(), name: 'Me', role: 'owner' }],
    })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ invited: [], notInvited: [] })
    expect(await invitationRows(suite.h, res.body.workspace.id)).toEqual([])
  })
})
