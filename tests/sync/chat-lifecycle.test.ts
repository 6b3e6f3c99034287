import { afterEach, describe, expect, test } from 'vitest'
import {
  appendMessage,
  appendToContent,
  createChat,
  deleteChat,
  getChat,
  getChatMessages,
  getChatSummary,
  openChatRoom,
  serverOrigin,
  setMessageStatus,
} from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { moveChat } from '../../sync-server'
import { logRows, roundTrip, snapshotRow, storedDoc, teamWithEveryRole, until } from './sync-clients'
import { useSyncSuite } from './sync-suite'

const suite = useSyncSuite()
const AI = serverOrigin('test-answer')

afterEach(async () => {
  await suite.node.server.idle()
})

/** A chat listed in `index` by `who`, with its room joined by `who`. */
async function startChat(indexRoom: string, who: Parameters<typeof suite.join>[1], title = 'Chat') {
  const index = await suite.join(indexRoom, who)
  const chat = createChat(index.doc, { title, createdBy: who.user!.id })
  const room = await suite.join(chatRoomOf(indexRoom, chat.id), who)
  openChatRoom(room.doc, chat.id)
  await roundTrip(room)
  return { index, room, chatId: chat.id, roomName: chatRoomOf(indexRoom, chat.id) }
}

describe('a chat’s activity in the index', () => {
  test('a member with only the workspace room open sees another member’s messages, and an answer, move the sidebar', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { room, chatId, roomName } = await startChat(team.shared, team.byRole.member, 'Plans')
    // The admin has no chat open: the workspace room only.
    const sidebar = await suite.join(team.shared, team.byRole.admin)
    await until(
      () => getChatSummary(sidebar.doc, chatId),
      (c) => c?.messageCount === 0,
    )

    appendMessage(room.doc, chatId, {
      id: 'q1',
      role: 'user',
      authorId: 'member',
      content: 'What\nnext?',
      createdAt: 5000,
    })
    const afterQuestion = await until(
      () => getChatSummary(sidebar.doc, chatId),
      (c) => c?.messageCount === 1,
    )
    expect(afterQuestion).toMatchObject({ preview: 'What next?', lastAuthorId: 'member', lastRole: 'user' })
    const createdAt = afterQuestion!.createdAt

    // An answer written by the server, as the answer writer does.
    const hold = await suite.node.server.openRoom(roomName, team.ws.id)
    try {
      await hold.room.applyServerChange((doc) =>
        appendMessage(
          doc,
          chatId,
          { id: 'a1', role: 'assistant', authorId: 'model', status: 'pending', replyTo: 'q1' },
          AI,
        ),
      )
      for (const piece of ['Ship', ' it', '.']) {
        await hold.room.applyServerChange((doc) => appendToContent(doc, chatId, 'a1', piece, AI))
      }
      await hold.room.applyServerChange((doc) => setMessageStatus(doc, chatId, 'a1', { status: 'done' }, AI))
    } finally {
      hold.release()
    }
    const afterAnswer = await until(
      () => getChatSummary(sidebar.doc, chatId),
      (c) => c?.preview === 'Ship it.',
    )
    expect(afterAnswer).toMatchObject({ messageCount: 2, lastAuthorId: 'model', lastRole: 'assistant' })
    expect(afterAnswer!.updatedAt).toBeGreaterThan(createdAt)
    // Stored, not only broadcast.
    await suite.node.server.idle()
    expect(getChatSummary(await storedDoc(suite.h, team.shared), chatId)).toMatchObject({
      messageCount: 2,
      preview: 'Ship it.',
    })
  })

  test('an answer streamed in many pieces writes the index far fewer times, and its final state always', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { chatId, roomName } = await startChat(team.shared, team.byRole.member)
    await suite.node.server.idle()
    const indexRowsBefore = (await logRows(suite.h, team.shared)).length
    const hold = await suite.node.server.openRoom(roomName, team.ws.id)
    const pieces = 60
    try {
      await hold.room.applyServerChange((doc) =>
        appendMessage(doc, chatId, { id: 'a', role: 'assistant', authorId: 'model', status: 'pending' }, AI),
      )
      for (let i = 0; i < pieces; i++) {
        await hold.room.applyServerChange((doc) => appendToContent(doc, chatId, 'a', `${i % 10}`, AI))
      }
    } finally {
      hold.release()
    }
    await suite.node.server.idle()
    const stored = getChatSummary(await storedDoc(suite.h, team.shared), chatId)
    expect(stored?.preview).toBe('0123456789'.repeat(pieces / 10))
    const indexWrites = (await logRows(suite.h, team.shared)).length - indexRowsBefore
    expect(indexWrites).toBeGreaterThan(0)
    expect(indexWrites).toBeLessThan(pieces / 2)
  })
})

describe('deleting a chat', () => {
  test('deletes its room’s storage, closes its connections with 4403, and drops it from memory', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { index, room, chatId, roomName } = await startChat(team.shared, team.byRole.member)
    const other = await suite.join(roomName, team.byRole.admin)
    appendMessage(room.doc, chatId, { role: 'user', authorId: 'member', content: 'soon gone' })
    await roundTrip(room)
    // A snapshot as well as log rows.
    await suite.node.server.rooms.get(roomName)!.compact()
    appendMessage(room.doc, chatId, { role: 'user', authorId: 'member', content: 'and this' })
    await roundTrip(room)
    expect(await snapshotRow(suite.h, roomName)).not.toBeNull()
    expect((await logRows(suite.h, roomName)).length).toBeGreaterThan(0)
    // Another chat of the same workspace, untouched.
    const kept = await startChat(team.shared, team.byRole.member)
    appendMessage(kept.room.doc, kept.chatId, { role: 'user', authorId: 'member', content: 'kept' })
    await roundTrip(kept.room)

    await until(
      () => getChatSummary(index.doc, chatId),
      (c) => c !== null,
    )
    deleteChat(index.doc, chatId)
    await until(
      () => other.closes.map((c) => c.code),
      (codes) => codes.includes(4403),
    )
    await suite.node.server.idle()
    expect(room.closes.map((c) => c.code)).toContain(4403)
    expect(suite.node.server.rooms.has(roomName)).toBe(false)
    expect(await snapshotRow(suite.h, roomName)).toBeNull()
    expect(await logRows(suite.h, roomName)).toEqual([])
    expect(getChatMessages(await storedDoc(suite.h, kept.roomName), kept.chatId)?.map((m) => m.content)).toEqual([
      'kept',
    ])
  })
})

describe('moving a chat between private and shared', () => {
  async function privateChatWithMessages(team: Awaited<ReturnType<typeof teamWithEveryRole>>, count: number) {
    const member = team.byRole.member
    const started = await startChat(team.privateOf(member), member, 'Mine')
    for (let i = 0; i < count; i++) {
      appendMessage(started.room.doc, started.chatId, {
        id: `m${i}`,
        role: 'user',
        authorId: 'member',
        content: `m${i}`,
      })
    }
    await roundTrip(started.room)
    await roundTrip(started.index)
    return started
  }

  const contents = async (room: string, chatId: string) =>
    getChatMessages(await storedDoc(suite.h, room), chatId)?.map((m) => m.content)

  test('moves the messages, the index entry and the room; the source is deleted; a second run changes nothing', async () => {
    const team = await teamWithEveryRole(suite.h)
    const { chatId, roomName, room } = await privateChatWithMessages(team, 5)
    const sharedSidebar = await suite.join(team.shared, team.byRole.admin)
    const from = team.privateOf(team.byRole.member)
    const input = { workspaceId: team.ws.id, chatId, from, to: team.shared }
    const moved = await moveChat(suite.node.server, input)
    expect(moved).toMatchObject({ id: chatId, title: 'Mine', messageCount: 5 })
    const target = chatRoomOf(team.shared, chatId)
    expect(await contents(target, chatId)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
    expect(await logRows(suite.h, roomName)).toEqual([])
    expect(await snapshotRow(suite.h, roomName)).toBeNull()
    expect(getChatSummary(await storedDoc(suite.h, from), chatId)).toBeNull()
    await until(
      () => room.closes.map((c) => c.code),
      (codes) => codes.includes(4403),
    )
    await until(
      () => getChatSummary(sharedSidebar.doc, chatId),
      (c) => c?.messageCount === 5,
    )
    // The admin opens the moved chat.
    const admin = await suite.join(target, team.byRole.admin)
    expect(getChatMessages(admin.doc, chatId)?.length).toBe(5)

    const rowsAfterFirst = (await logRows(suite.h, target)).length
    await moveChat(suite.node.server, input)
    expect((await logRows(suite.h, target)).length).toBe(rowsAfterFirst)
    expect(await contents(target, chatId)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
  })

  test.each([1, 2, 3])(
    'interrupted after step %i and run again: every message once, listed once, the source gone',
    async (steps) => {
      const team = await teamWithEveryRole(suite.h)
      const { chatId, roomName, room } = await privateChatWithMessages(team, 4)
      const from = team.privateOf(team.byRole.member)
      const input = { workspaceId: team.ws.id, chatId, from, to: team.shared }
      await suite.node.server.moveChat(input, { stopAfterStep: steps as 1 | 2 | 3 })
      // Written in the source between the interruption and the second run: moved too.
      if (steps < 3) {
        appendMessage(room.doc, chatId, { id: 'late', role: 'user', authorId: 'member', content: 'late' })
        await roundTrip(room)
      }
      await moveChat(suite.node.server, input)
      await suite.node.server.idle()
      const target = chatRoomOf(team.shared, chatId)
      const expected = ['m0', 'm1', 'm2', 'm3', ...(steps < 3 ? ['late'] : [])]
      expect(await contents(target, chatId)).toEqual(expected)
      expect(getChatSummary(await storedDoc(suite.h, team.shared), chatId)?.messageCount).toBe(expected.length)
      expect(getChatSummary(await storedDoc(suite.h, from), chatId)).toBeNull()
      expect(await logRows(suite.h, roomName)).toEqual([])
      expect(getChat(await storedDoc(suite.h, team.shared), chatId)?.title).toBe('Mine')
    },
  )

  test('a chat neither room lists is NOT_FOUND; rooms that are not two index rooms of the workspace are BAD_REQUEST', async () => {
    const team = await teamWithEveryRole(suite.h)
    const from = team.privateOf(team.byRole.member)
    await expect(
      moveChat(suite.node.server, { workspaceId: team.ws.id, chatId: 'nochat', from, to: team.shared }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    for (const to of [from, chatRoomOf(team.shared, 'x'), 'w/other']) {
      await expect(
        moveChat(suite.node.server, { workspaceId: team.ws.id, chatId: 'c', from, to }),
      ).rejects.toMatchObject({ code: 'BAD_REQUEST' })
    }
  })
})
