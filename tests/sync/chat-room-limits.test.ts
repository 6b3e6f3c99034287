import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  appendMessage,
  createChat,
  getChatMessages,
  getChatSummary,
  openChatRoom,
  serverOrigin,
  setMessageStatus,
} from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { RoomFullError } from '../../sync-server'
import { createHarness, type Harness, type TestClient } from '../helpers/harness'
import { roundTrip, storedDoc, synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

const CHAT_LIMIT = 40_000
const AI = serverOrigin('test-answer')

let h: Harness
let node: SyncNode
const peers: Peer[] = []
beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h, { limits: { maxChatRoomBytes: CHAT_LIMIT } })
})
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy()
  await node.server.idle()
})
afterAll(async () => {
  await node?.stop()
  await h?.close()
})

async function join(room: string, who: TestClient) {
  const p = connectPeer(node, room, sessionToken(who))
  peers.push(p)
  await synced(p)
  return p
}

async function chatOf(index: Peer, who: TestClient, title: string) {
  const chat = createChat(index.doc, { title, createdBy: who.user!.id })
  const room = await join(chatRoomOf(index.provider.roomname, chat.id), who)
  openChatRoom(room.doc, chat.id)
  await roundTrip(room)
  return { chatId: chat.id, room, name: chatRoomOf(index.provider.roomname, chat.id) }
}

describe('a chat room has a size limit of its own', () => {
  test('a member filling one chat is closed with 4413 on that chat only; others keep writing elsewhere', async () => {
    const team = await teamWithEveryRole(h)
    const { member, admin } = team.byRole
    const memberIndex = await join(team.shared, member)
    const adminIndex = await join(team.shared, admin)
    const full = await chatOf(memberIndex, member, 'Filled')
    const other = await chatOf(adminIndex, admin, 'Other')

    // 2 KB messages until the server closes the chat room.
    for (let i = 0; i < 40 && !full.room.closes.length; i++) {
      appendMessage(full.room.doc, full.chatId, {
        role: 'user',
        authorId: member.user!.id,
        content: `${i} ${'x'.repeat(2000)}`,
      })
      if (full.room.provider.wsconnected) await roundTrip(full.room).catch(() => {})
    }
    await until(
      () => full.room.closes.map((c) => c.code),
      (codes) => codes.includes(4413),
    )
    const stored = getChatMessages(await storedDoc(h, full.name), full.chatId)!
    expect(stored.length).toBeGreaterThan(5)
    expect(stored.length).toBeLessThan(40)

    // The member's workspace room, the admin's chat and the workspace room go on.
    appendMessage(other.room.doc, other.chatId, { role: 'user', authorId: admin.user!.id, content: 'still here' })
    await roundTrip(other.room)
    memberIndex.doc.transact(() => createChat(memberIndex.doc, { title: 'A new one', createdBy: member.user!.id }))
    await roundTrip(memberIndex)
    await until(
      () => getChatSummary(memberIndex.doc, other.chatId),
      (c) => c?.preview === 'still here',
    )
    expect(memberIndex.closes).toEqual([])
    expect(adminIndex.closes).toEqual([])
    expect(other.room.closes).toEqual([])
    expect(getChatMessages(await storedDoc(h, other.name), other.chatId)?.map((m) => m.content)).toEqual(['still here'])
    // The full chat's index entry says what its room holds.
    await node.server.idle()
    expect(getChatSummary(await storedDoc(h, team.shared), full.chatId)?.messageCount).toBe(stored.length)
  })

  test('an answer into a full chat is refused with RoomFullError; the answer can still be ended', async () => {
    const team = await teamWithEveryRole(h)
    const { member } = team.byRole
    const index = await join(team.shared, member)
    const full = await chatOf(index, member, 'Full')
    const hold = await node.server.openRoom(full.name, team.ws.id)
    try {
      await hold.room.applyServerChange((doc) =>
        appendMessage(
          doc,
          full.chatId,
          { id: 'answer', role: 'assistant', authorId: 'model', status: 'streaming' },
          AI,
        ),
      )
      let refused: unknown = null
      for (let i = 0; i < 100 && !refused; i++) {
        await hold.room
          .applyServerChange((doc) =>
            appendMessage(doc, full.chatId, { role: 'assistant', authorId: 'model', content: 'y'.repeat(2000) }, AI),
          )
          .catch((error: unknown) => (refused = error))
      }
      expect(refused).toBeInstanceOf(RoomFullError)
      expect(refused).toMatchObject({ code: 'LIMIT_REACHED' })
      // Grown past the limit by one change at most.
      const size = Buffer.byteLength(Buffer.from(JSON.stringify(getChatMessages(hold.room.doc, full.chatId))))
      expect(size).toBeLessThan(CHAT_LIMIT + 4000)
      await hold.room.applyServerChange(
        (doc) => setMessageStatus(doc, full.chatId, 'answer', { status: 'error', error: 'This chat is full.' }, AI),
        { evenIfFull: true },
      )
    } finally {
      hold.release()
    }
    const answer = getChatMessages(await storedDoc(h, full.name), full.chatId)!.find((m) => m.id === 'answer')
    expect(answer).toMatchObject({ status: 'error', error: 'This chat is full.' })
  })
})
