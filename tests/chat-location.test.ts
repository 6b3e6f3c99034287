import { describe, expect, test } from 'vitest'
import { locateChat } from '../app/server/chat-location'
import { createChat } from '../shared/doc'
import { roundTrip, teamWithEveryRole } from './sync/sync-clients'
import { useSyncSuite } from './sync/sync-suite'

/**
 * Where a chat is, for the server render of its page (app/server/chat-location):
 * the index that lists it for the person asking, and its entry, from index
 * rooms the node holds; nothing of another member's private chats or of
 * another workspace.
 */
const suite = useSyncSuite()

describe('locating a chat for its page', () => {
  test('a shared chat for every member, a private chat for its owner only, and nothing for others', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { owner, member, viewer } = team.byRole
    const sharedPeer = await suite.join(team.shared, member)
    const shared = createChat(sharedPeer.doc, { title: 'Roadmap', createdBy: member.user!.id })
    const privatePeer = await suite.join(team.privateOf(member), member)
    const mine = createChat(privatePeer.doc, { title: 'My notes', createdBy: member.user!.id })
    await roundTrip(sharedPeer)
    await roundTrip(privatePeer)
    const locate = (userId: string, chatId: string, workspaceId = team.ws.id) =>
      locateChat(suite.h.db, suite.node.server, userId, workspaceId, chatId)

    for (const who of [owner, member, viewer]) {
      expect(await locate(who.user!.id, shared.id)).toMatchObject({
        index: 'shared',
        summary: { id: shared.id, title: 'Roadmap' },
      })
    }
    expect(await locate(member.user!.id, mine.id)).toMatchObject({
      index: 'private',
      summary: { id: mine.id, title: 'My notes' },
    })
    // Another member's private chat is not theirs to find.
    expect(await locate(owner.user!.id, mine.id)).toBeNull()
    expect(await locate(member.user!.id, 'no-such-chat')).toBeNull()

    // Outside the workspace: refused as if it did not exist.
    const other = await teamWithEveryRole(suite.h)
    // A workspace whose rooms this node does not hold: not loaded for the asking.
    await expect(locate(other.byRole.owner.user!.id, shared.id, other.ws.id)).resolves.toBeNull()
    expect(suite.node.server.rooms.has(other.shared)).toBe(false)
    await expect(locate(other.byRole.owner.user!.id, shared.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(locate(member.user!.id, shared.id, other.ws.id)).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  test('a malformed chat id is refused, not looked up', async () => {
    const team = await teamWithEveryRole(suite.h)
    await expect(
      locateChat(suite.h.db, suite.node.server, team.byRole.owner.user!.id, team.ws.id, 'a/b'),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' })
  })
})
