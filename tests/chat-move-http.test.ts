import { describe, expect, test } from 'vitest'
import { appendMessage, createChat, getChatMessages, getChatSummary, openChatRoom } from '../shared/doc'
import { chatRoomOf } from '../shared/rooms'
import { roundTrip, teamWithEveryRole, until, type Team } from './sync/sync-clients'
import { useSyncSuite } from './sync/sync-suite'

/**
 * `POST /api/workspaces/<id>/chats/<chatId>/move` (decision 021): a private
 * chat shared with the workspace, a shared one made private, through the
 * sync server's move; who may, and what is refused.
 */
const suite = useSyncSuite()

/** A chat of `client` in `index` (an index room) with one question, stored by the server. */
async function chatIn(team: Team, index: string, who: 'owner' | 'admin' | 'member') {
  const client = team.byRole[who]
  const indexPeer = await suite.join(index, client)
  const chat = createChat(indexPeer.doc, { title: 'Plans', createdBy: client.user!.id })
  const roomPeer = await suite.join(chatRoomOf(index, chat.id), client)
  openChatRoom(roomPeer.doc, chat.id)
  appendMessage(roomPeer.doc, chat.id, { id: 'q1', role: 'user', authorId: client.user!.id, content: 'Plan my week' })
  await roundTrip(indexPeer)
  await roundTrip(roomPeer)
  return { chatId: chat.id, indexPeer, roomPeer }
}

const moveUrl = (team: Team, chatId: string) => `/api/workspaces/${team.ws.id}/chats/${chatId}/move`

describe('moving a chat over HTTP', () => {
  test('a private chat shared: listed in the shared index and its messages in the shared chat room, live for a colleague', async () => {
    const team = await teamWithEveryRole(suite.h)
    const mine = team.privateOf(team.byRole.member)
    const { chatId, indexPeer } = await chatIn(team, mine, 'member')
    const colleague = await suite.join(team.shared, team.byRole.admin)

    const res = await team.byRole.member.post(moveUrl(team, chatId), { to: 'shared' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ chat: { id: chatId, title: 'Plans' }, room: chatRoomOf(team.shared, chatId) })
    await until(
      () => getChatSummary(colleague.doc, chatId)?.title,
      (t) => t === 'Plans',
    )
    await until(
      () => getChatSummary(indexPeer.doc, chatId),
      (c) => c === null,
    )
    const room = await suite.join(chatRoomOf(team.shared, chatId), team.byRole.admin)
    expect(getChatMessages(room.doc, chatId)?.map((m) => m.content)).toEqual(['Plan my week'])

    // Back to private, by who started it.
    const back = await team.byRole.member.post(moveUrl(team, chatId), { to: 'private' })
    expect(back.status).toBe(200)
    expect(back.body).toMatchObject({ room: chatRoomOf(mine, chatId) })
    await until(
      () => getChatSummary(colleague.doc, chatId),
      (c) => c === null,
    )
  })

  test('a colleague’s shared chat is not made private by a member (403), an admin may; viewers may not move (403)', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { chatId } = await chatIn(team, team.shared, 'owner')
    const byMember = await team.byRole.member.post(moveUrl(team, chatId), { to: 'private' })
    expect(byMember.status).toBe(403)
    expect((await team.byRole.viewer.post(moveUrl(team, chatId), { to: 'private' })).status).toBe(403)
    const byAdmin = await team.byRole.admin.post(moveUrl(team, chatId), { to: 'private' })
    expect(byAdmin.status).toBe(200)
    expect(byAdmin.body).toMatchObject({ room: chatRoomOf(team.privateOf(team.byRole.admin), chatId) })
  })

  test('refused: an unknown chat or another workspace (404), a bad body (400), an answer being written (409); a move run again changes nothing', async () => {
    const team = await teamWithEveryRole(suite.h)
    const other = await teamWithEveryRole(suite.h)
    const { chatId, roomPeer } = await chatIn(team, team.shared, 'member')
    expect((await team.byRole.member.post(moveUrl(team, 'nochat'), { to: 'private' })).status).toBe(404)
    expect((await other.byRole.owner.post(moveUrl(team, chatId), { to: 'private' })).status).toBe(404)
    const bad = await team.byRole.member.post(moveUrl(team, chatId), { to: 'elsewhere' })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ fields: { to: expect.any(String) } })
    // Already where it is asked to go (a move run again): nothing changes.
    const again = await team.byRole.member.post(moveUrl(team, chatId), { to: 'shared' })
    expect(again.status).toBe(200)
    expect(getChatMessages(roomPeer.doc, chatId)).toHaveLength(1)

    appendMessage(roomPeer.doc, chatId, {
      id: 'a1',
      role: 'assistant',
      authorId: team.byRole.member.user!.id,
      status: 'streaming',
      replyTo: 'q1',
    })
    await roundTrip(roomPeer)
    const busy = await team.byRole.member.post(moveUrl(team, chatId), { to: 'private' })
    expect(busy.status).toBe(409)
    expect(getChatMessages(roomPeer.doc, chatId)).toHaveLength(2)
  })
})
