import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import {
  appendMessage,
  appendToContent,
  createChat,
  getChat,
  getChatMessages,
  LOCAL_ORIGIN,
  openChatRoom,
  serverOrigin,
} from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { roomSnapshot } from '../../db/schema'
import { createHarness, type Harness } from '../helpers/harness'
import { logRows, storedDoc, synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
const nodes: SyncNode[] = []
const peers: Peer[] = []
beforeAll(async () => {
  h = await createHarness()
})
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy()
  for (const n of nodes.splice(0)) await n.stop()
})
afterAll(() => h.close())

async function node(limits = {}) {
  const n = await startSyncNode(h, { limits })
  nodes.push(n)
  return n
}
function peer(n: SyncNode, room: string, token: string) {
  const p = connectPeer(n, room, token)
  peers.push(p)
  return p
}

const AI = serverOrigin('test')

describe('changes made by the server', () => {
  test('reach connected clients and are stored; the room stays open while held', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node()
    const index = peer(n, team.shared, sessionToken(team.byRole.member))
    await synced(index)
    const chat = createChat(index.doc, { title: 'Ask', createdBy: team.byRole.member.user!.id }, LOCAL_ORIGIN)
    const room = chatRoomOf(team.shared, chat.id)
    const member = peer(n, room, sessionToken(team.byRole.member))
    await synced(member)
    openChatRoom(member.doc, chat.id)

    const hold = await n.server.openRoom(room, team.ws.id)
    await until(
      () => getChatMessages(hold.room.doc, chat.id),
      (c) => c !== null,
    )
    const rowsBefore = (await logRows(h, room)).length
    await hold.room.applyServerChange((doc) =>
      appendMessage(doc, chat.id, { id: 'answer1', role: 'assistant', authorId: 'model', status: 'pending' }, AI),
    )
    for (const piece of ['Hel', 'lo', '!']) {
      await hold.room.applyServerChange((doc) => appendToContent(doc, chat.id, 'answer1', piece, AI))
    }
    await until(
      () => getChatMessages(member.doc, chat.id)?.find((m) => m.id === 'answer1')?.content,
      (text) => text === 'Hello!',
    )
    // Each change is one stored row, written before it was sent.
    expect((await logRows(h, room)).length).toBe(rowsBefore + 4)
    const stored = await storedDoc(h, room)
    expect(getChatMessages(stored, chat.id)?.find((m) => m.id === 'answer1')?.content).toBe('Hello!')
    // The index, through which every sidebar follows, says so too.
    await until(
      () => getChat(index.doc, chat.id),
      (c) => c?.messageCount === 1 && c.preview === 'Hello!',
    )

    // Held with no client: still open after the idle timeout (50 ms in tests); released: closed.
    member.destroy()
    await new Promise((r) => setTimeout(r, 200))
    expect(n.server.rooms.has(room)).toBe(true)
    hold.release()
    await until(
      () => n.server.rooms.has(room),
      (open) => !open,
    )
  })

  test('a change that throws applies nothing and stores nothing', async () => {
    const team = await teamWithEveryRole(h)
    const n = await node()
    const hold = await n.server.openRoom(team.shared, team.ws.id)
    try {
      const rowsBefore = (await logRows(h, team.shared)).length
      await expect(
        hold.room.applyServerChange((doc) => appendToContent(doc, 'nochat', 'nomessage', 'x', AI)),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' })
      expect((await logRows(h, team.shared)).length).toBe(rowsBefore)
    } finally {
      hold.release()
    }
  })

  test('an answer left streaming by a process that died is ended when the room loads; a young one is not', async () => {
    const team = await teamWithEveryRole(h)
    // Written as a crashed node would have left it: two open answers, one old, one just started.
    const doc = new Y.Doc()
    const chat = { id: 'crashed' }
    const room = chatRoomOf(team.shared, chat.id)
    openChatRoom(doc, chat.id)
    const old = Date.now() - 10 * 60_000
    appendMessage(
      doc,
      chat.id,
      { id: 'old', role: 'assistant', authorId: 'm', status: 'streaming', createdAt: old },
      AI,
    )
    appendMessage(doc, chat.id, { id: 'young', role: 'assistant', authorId: 'm', status: 'streaming' }, AI)
    await h.db
      .insert(roomSnapshot)
      .values({ room, workspaceId: team.ws.id, state: Y.encodeStateAsUpdate(doc), upToId: 0 })

    const n = await node()
    const member = peer(n, room, sessionToken(team.byRole.member))
    await synced(member)
    const statusOf = (id: string) => getChatMessages(member.doc, chat.id)?.find((m) => m.id === id)
    await until(
      () => statusOf('old')?.status,
      (s) => s === 'error',
    )
    expect(statusOf('old')?.error).toMatch(/interrupted/)
    expect(statusOf('young')?.status).toBe('streaming')
    // Stored, so the next load sees it ended too.
    const stored = await storedDoc(h, room)
    expect(getChatMessages(stored, chat.id)?.find((m) => m.id === 'old')?.status).toBe('error')
  })
})
