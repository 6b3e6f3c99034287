import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { appendUpdate } from '../../db/room-storage'
import { WORKSPACE_ROLES } from '../../shared/roles'
import { privateRoom, sharedRoom } from '../../shared/rooms'
import { ghostId } from '../helpers/fixtures'
import { createHarness, signUp, type Harness, type TestClient } from '../helpers/harness'
import { rawClient, synced, teamWithEveryRole, textOf, until, type Team } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
let node: SyncNode
let team: Team
let outsider: TestClient
let signedOut: string
const peers: Peer[] = []

beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h)
  team = await teamWithEveryRole(h)
  outsider = await signUp(h, 'Outsider')
  const leaver = await signUp(h, 'Leaver')
  signedOut = sessionToken(leaver)
  expect((await leaver.post('/api/auth/sign-out')).status).toBe(200)
})
afterAll(async () => {
  for (const p of peers) p.destroy()
  await node?.stop()
  await h?.close()
})

const peer = (room: string, token: string | null) => {
  const p = connectPeer(node, room, token)
  peers.push(p)
  return p
}

/**
 * Every refusal: the socket opens, then closes with the code, and the client
 * has received no byte at all — although it sent a sync step 1 at once,
 * which an authorized connection answers.
 */
async function expectRefused(room: string, token: string | null, code: number, cookie?: string) {
  const client = rawClient(node, room, { token, cookie, hello: true })
  await client.opened
  const closed = await client.closed
  expect({ code: closed.code, messagesBeforeClose: closed.messagesBeforeClose }).toEqual({
    code,
    messagesBeforeClose: 0,
  })
  expect(client.messages).toEqual([])
}

describe('who may open a sync room', () => {
  test.each([
    ['no token and no cookie', () => null],
    ['a token that is no session', () => 'not-a-session-token'],
    ['a well-formed but forged signed token', () => `${ghostId()}.${ghostId()}`],
    ['the token of a session that signed out', () => signedOut],
  ])('%s is refused with 4401 before any document byte', async (_name, token) => {
    await expectRefused(team.shared, token(), 4401)
    await expectRefused(team.privateOf(team.byRole.member), token(), 4401)
  })

  test.each([
    ['a non-member, in the shared room', () => team.shared, () => outsider],
    ['a non-member, in a member’s private room', () => team.privateOf(team.byRole.member), () => outsider],
    ['a non-member, in “their own” private room', () => privateRoom(team.ws.id, outsider.user!.id), () => outsider],
    ['anyone, in a workspace that does not exist', () => sharedRoom(ghostId()), () => team.byRole.owner],
    [
      'anyone, in a private room of a workspace that does not exist',
      () => privateRoom(ghostId(), team.byRole.owner.user!.id),
      () => team.byRole.owner,
    ],
    ['a member, in another member’s private room', () => team.privateOf(team.byRole.admin), () => team.byRole.member],
    ['the owner, in a member’s private room', () => team.privateOf(team.byRole.member), () => team.byRole.owner],
    ['an admin, in the owner’s private room', () => team.privateOf(team.byRole.owner), () => team.byRole.admin],
  ])('%s is refused with 4403 before any document byte', async (_name, room, who) => {
    await expectRefused(room(), sessionToken(who()), 4403)
  })

  test('an unknown workspace and a workspace one is not in are refused alike, so ids cannot be probed', async () => {
    const unknown = rawClient(node, sharedRoom(ghostId()), { token: sessionToken(outsider), hello: true })
    const notMine = rawClient(node, team.shared, { token: sessionToken(outsider), hello: true })
    const [a, b] = await Promise.all([unknown.closed, notMine.closed])
    expect(a).toEqual(b)
    expect(a.code).toBe(4403)
  })

  test.each(['x', 'w', 'w/', 'w/a/b', 'w/a/u/', 'w/a/u/b/c', 'w//u/b', 'w/a%2Fb', 'w/a b', 'w/a/u/b%00', 'w/%E0%A4%A'])(
    'the malformed room name %j is refused with 4400, with or without a session',
    async (room) => {
      await expectRefused(room, sessionToken(team.byRole.owner), 4400)
      await expectRefused(room, null, 4400)
    },
  )

  test('the session cookie works as well as the token, and is checked the same way', async () => {
    await expectRefused(team.shared, null, 4403, outsider.cookie)
    const member = rawClient(node, team.shared, { cookie: team.byRole.member.cookie, hello: true })
    await member.opened
    // An authorized connection is answered: the server's sync step 1, then its reply to ours.
    await until(
      () => member.messages.length,
      (n) => n >= 2,
    )
    expect(member.isClosed()).toBe(false)
    member.ws.close()
  })
})

describe('every role reaches the shared room and its own private room', () => {
  test.each(WORKSPACE_ROLES)('the %s connects to the shared room and gets its content', async (role) => {
    // The owner writes something first, so "synced" means the content arrived.
    const writer = peer(team.shared, sessionToken(team.byRole.owner))
    await synced(writer)
    writer.doc.getText('text').insert(0, `hello ${role}. `)
    const reader = peer(team.shared, sessionToken(team.byRole[role]))
    await synced(reader)
    await until(
      () => textOf(reader),
      (t) => t.includes(`hello ${role}.`),
    )
    expect(reader.closes).toEqual([])
    expect(reader.provider.wsconnected).toBe(true)
  })

  test.each(WORKSPACE_ROLES)(
    'the %s connects to its own private room and gets what is stored there, in every tab',
    async (role) => {
      const client = team.byRole[role]
      const room = team.privateOf(client)
      // Stored before anyone connects (a viewer cannot write it): the node loads it from the database.
      const seed = new Y.Doc()
      seed.getText('text').insert(0, `stored for the ${role}`)
      await appendUpdate(h.db, room, team.ws.id, Y.encodeStateAsUpdate(seed))
      const first = peer(room, sessionToken(client))
      const second = peer(room, sessionToken(client))
      await Promise.all([synced(first), synced(second)])
      expect([textOf(first), textOf(second)]).toEqual([`stored for the ${role}`, `stored for the ${role}`])
      expect(first.closes).toEqual([])
      expect(second.closes).toEqual([])
    },
  )

  test.each(['owner', 'admin', 'member'] as const)('the %s writes to its own private room', async (role) => {
    const client = team.byRole[role]
    const room = team.privateOf(client)
    const first = peer(room, sessionToken(client))
    const second = peer(room, sessionToken(client))
    await Promise.all([synced(first), synced(second)])
    first.doc.getText('notes').insert(0, `private note of the ${role}`)
    await until(
      () => textOf(second, 'notes'),
      (t) => t === `private note of the ${role}`,
    )
  })
})
