import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  appendMessage,
  chatActivity,
  createChat,
  getChatMessages,
  getChatSummary,
  openChatRoom,
  renameChat,
  setPinned,
} from '../../shared/doc'
import type { WorkspaceRole } from '../../shared/roles'
import { chatRoomOf } from '../../shared/rooms'
import { createHarness, type Harness } from '../helpers/harness'
import { synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
const nodes: SyncNode[] = []
const peers: Peer[] = []
beforeAll(async () => {
  h = await createHarness()
  // Two nodes behind Redis: each writes the activity of what its own clients store.
  nodes.push(await startSyncNode(h, { redis: true }), await startSyncNode(h, { redis: true }))
})
afterAll(async () => {
  for (const p of peers) p.destroy()
  for (const n of nodes) await n.stop()
  await h?.close()
})

describe('index and chat rooms under concurrent edits', () => {
  test('every client converges, and every index entry says what its chat room holds', async () => {
    const team = await teamWithEveryRole(h)
    const roles: WorkspaceRole[] = ['owner', 'admin', 'member']
    const join = async (room: string, role: WorkspaceRole, i: number) => {
      const p = connectPeer(nodes[i % 2], room, sessionToken(team.byRole[role]))
      peers.push(p)
      await synced(p)
      return p
    }
    const indexes = await Promise.all(roles.map((r, i) => join(team.shared, r, i)))
    const chatIds = ['alpha', 'beta', 'gamma'].map(
      (title, i) => createChat(indexes[i].doc, { id: `chat-${title}`, title, createdBy: roles[i] }).id,
    )
    // Each client has every chat open, on its own node.
    const rooms = await Promise.all(
      roles.map(async (role, i) => Promise.all(chatIds.map((id) => join(chatRoomOf(team.shared, id), role, i)))),
    )
    rooms.forEach((perClient) => perClient.forEach((room, c) => openChatRoom(room.doc, chatIds[c])))

    // Interleaved, without waiting: messages in every chat from every client, renames and pins in the index.
    for (let round = 0; round < 20; round++) {
      roles.forEach((role, i) => {
        const c = (round + i) % chatIds.length
        appendMessage(rooms[i][c].doc, chatIds[c], {
          id: `${role}-${round}`,
          role: 'user',
          authorId: role,
          content: `${role} says ${round}`,
        })
        if (round % 5 === i) renameChat(indexes[i].doc, chatIds[c], `${role} renamed at ${round}`)
        if (round % 7 === i) setPinned(indexes[i].doc, chatIds[c], round % 2 === 0)
      })
      await new Promise((r) => setTimeout(r, 5))
    }

    const ids = (p: Peer, chatId: string) => getChatMessages(p.doc, chatId)?.map((m) => m.id) ?? []
    for (const [c, chatId] of chatIds.entries()) {
      // Every client's copy of each chat room holds all 20 messages written there, the same list.
      await until(
        () => rooms.map((perClient) => ids(perClient[c], chatId).length),
        (counts) => counts.every((n) => n === 20),
        15_000,
      )
      expect(ids(rooms[1][c], chatId)).toEqual(ids(rooms[0][c], chatId))
      expect(ids(rooms[2][c], chatId)).toEqual(ids(rooms[0][c], chatId))
      const activity = chatActivity(rooms[0][c].doc, chatId)!
      // Every client's index entry says what the room holds.
      for (const index of indexes) {
        await until(
          () => getChatSummary(index.doc, chatId),
          (s) =>
            s?.messageCount === activity.messageCount &&
            s.preview === activity.preview &&
            s.lastAuthorId === activity.lastAuthorId &&
            s.updatedAt === activity.updatedAt,
          15_000,
        )
      }
      const summaries = indexes.map((index) => getChatSummary(index.doc, chatId))
      expect(summaries[1]).toEqual(summaries[0])
      expect(summaries[2]).toEqual(summaries[0])
    }
  }, 60_000)
})
