import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { appendMessage, createChat, getChatMessages, openChatRoom } from '../../shared/doc'
import { WORKSPACE_ROLES, type WorkspaceRole } from '../../shared/roles'
import { chatRoomOf, privateChatRoom, sharedChatRoom } from '../../shared/rooms'
import { ghostId } from '../helpers/fixtures'
import { createHarness, type Harness } from '../helpers/harness'
import { logRows, rawClient, roundTrip, storedDoc, synced, teamWithEveryRole, until, type Team } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

/**
 * Chat rooms (decision 021) as a table: access follows the index room the
 * chat belongs to. A shared chat's room: every member, viewers reading
 * only; a private chat's room: its owner only; another workspace's chat
 * room: no one outside it; malformed names: 4400.
 */

let h: Harness
let node: SyncNode
let team: Team
let otherTeam: Team
const peers: Peer[] = []

beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h)
  team = await teamWithEveryRole(h)
  otherTeam = await teamWithEveryRole(h)
})
afterAll(async () => {
  for (const p of peers) p.destroy()
  await node?.stop()
  await h?.close()
})

const peer = (room: string, role: WorkspaceRole, t = team) => {
  const p = connectPeer(node, room, sessionToken(t.byRole[role]))
  peers.push(p)
  return p
}

async function expectRefused(room: string, token: string | null, code: number) {
  const client = rawClient(node, room, { token, hello: true })
  await client.opened
  const closed = await client.closed
  expect({ code: closed.code, messagesBeforeClose: closed.messagesBeforeClose }).toEqual({
    code,
    messagesBeforeClose: 0,
  })
}

/** A shared chat the owner started, with one message in its room. */
async function sharedChatWithMessage(text: string) {
  const index = peer(team.shared, 'owner')
  await synced(index)
  const chat = createChat(index.doc, { title: text, createdBy: team.byRole.owner.user!.id })
  const room = chatRoomOf(team.shared, chat.id)
  const writer = peer(room, 'owner')
  await synced(writer)
  openChatRoom(writer.doc, chat.id)
  appendMessage(writer.doc, chat.id, { role: 'user', authorId: team.byRole.owner.user!.id, content: text })
  await roundTrip(writer)
  return { chatId: chat.id, room }
}

// Who may do what in a shared chat's room: read, write.
const SHARED_CHAT: Record<WorkspaceRole, { reads: boolean; writes: boolean }> = {
  owner: { reads: true, writes: true },
  admin: { reads: true, writes: true },
  member: { reads: true, writes: true },
  viewer: { reads: true, writes: false },
}

describe('a shared chat’s room', () => {
  test.each(WORKSPACE_ROLES)('the %s: as the table says', async (role) => {
    const { chatId, room } = await sharedChatWithMessage(`hello ${role}`)
    const p = peer(room, role)
    await synced(p)
    await until(
      () => getChatMessages(p.doc, chatId)?.map((m) => m.content),
      (texts) => texts?.[0] === `hello ${role}`,
    )
    expect(SHARED_CHAT[role].reads).toBe(true)
    const rowsBefore = (await logRows(h, room)).length
    const dropped = node.server.metrics.droppedViewerUpdates
    appendMessage(p.doc, chatId, { role: 'user', authorId: team.byRole[role].user!.id, content: `from the ${role}` })
    await roundTrip(p)
    const stored = getChatMessages(await storedDoc(h, room), chatId)!.map((m) => m.content)
    if (SHARED_CHAT[role].writes) {
      expect(stored).toEqual([`hello ${role}`, `from the ${role}`])
      expect((await logRows(h, room)).length).toBeGreaterThan(rowsBefore)
    } else {
      // Dropped: not stored, not forwarded, counted.
      expect(stored).toEqual([`hello ${role}`])
      expect((await logRows(h, room)).length).toBe(rowsBefore)
      expect(node.server.metrics.droppedViewerUpdates).toBe(dropped + 1)
    }
    expect(p.closes).toEqual([])
  })
})

describe('a private chat’s room', () => {
  test.each(WORKSPACE_ROLES)('the %s reads and writes its own', async (role) => {
    const client = team.byRole[role]
    const room = privateChatRoom(team.ws.id, client.user!.id, `mine-${role}`)
    const p = peer(room, role)
    await synced(p)
    openChatRoom(p.doc, `mine-${role}`)
    appendMessage(p.doc, `mine-${role}`, { role: 'user', authorId: client.user!.id, content: 'note to self' })
    await roundTrip(p)
    const stored = getChatMessages(await storedDoc(h, room), `mine-${role}`)?.map((m) => m.content)
    // A viewer's own private room follows the viewer's rights: read only.
    expect(stored ?? []).toEqual(role === 'viewer' ? [] : ['note to self'])
  })

  const others = WORKSPACE_ROLES.flatMap((who) =>
    WORKSPACE_ROLES.filter((owner) => owner !== who).map((owner) => ({ who, owner })),
  )
  test.each(others)('the $who is refused the $owner’s with 4403', async ({ who, owner }) => {
    const room = privateChatRoom(team.ws.id, team.byRole[owner].user!.id, ghostId())
    await expectRefused(room, sessionToken(team.byRole[who]), 4403)
  })
})

describe('chat rooms of another workspace, and names that are not rooms', () => {
  test.each(WORKSPACE_ROLES)('the %s of another workspace is refused its chat rooms with 4403', async (role) => {
    const who = sessionToken(otherTeam.byRole[role])
    await expectRefused(sharedChatRoom(team.ws.id, ghostId()), who, 4403)
    await expectRefused(privateChatRoom(team.ws.id, team.byRole[role].user!.id, ghostId()), who, 4403)
    await expectRefused(privateChatRoom(team.ws.id, otherTeam.byRole[role].user!.id, ghostId()), who, 4403)
  })

  test('a chat room of a workspace that does not exist is refused like another workspace’s', async () => {
    await expectRefused(sharedChatRoom(ghostId(), ghostId()), sessionToken(team.byRole.owner), 4403)
  })

  test.each(['w/a/c', 'w/a/c/', 'w/a/c/b/c', 'w/a/u/b/c', 'w/a/u/b/c/', 'w/a/c/b%2Fc', 'w/a/u/b/c/d/e', 'w/a/x/b'])(
    'the malformed chat room name %j is refused with 4400',
    async (room) => {
      await expectRefused(room, sessionToken(team.byRole.owner), 4400)
      await expectRefused(room, null, 4400)
    },
  )
})
