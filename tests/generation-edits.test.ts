import * as Y from 'yjs'
import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { usageReservation } from '../db/schema'
import {
  appendMessage,
  createChat,
  currentClientState,
  editMessageContent,
  getChatMessages,
  openChatRoom,
} from '../shared/doc'
import { chatRoomOf } from '../shared/rooms'
import { askInRoom, joinChatRoom, joinRoom, messageIn, startAi } from './helpers/ai-harness'
import { startFakeOpenAI, type FakeServer } from './helpers/fake-openai'
import { createHarness, type Harness } from './helpers/harness'
import { teamWithEveryRole, until } from './sync/sync-clients'
import type { Peer } from './sync/sync-harness'

/**
 * A question edited on a device travels to the server over the websocket,
 * the request for its answer over HTTP: the request names the edit
 * (`after`), and the server answers the edited text, never the older one.
 */
let h: Harness
let openai: FakeServer
let ai: Awaited<ReturnType<typeof startAi>>
const peers: Peer[] = []

beforeAll(async () => {
  openai = await startFakeOpenAI()
  h = await createHarness({ OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key', AI_TIMEOUT_MS: 1500 })
  ai = await startAi(h)
})
afterEach(async () => {
  await ai.ai.registry.settled()
  for (const p of peers.splice(0)) p.destroy()
})
afterAll(async () => {
  await ai?.stop()
  await h?.close()
  await openai?.close()
})

async function setUp() {
  const team = await teamWithEveryRole(h)
  const asker = await joinRoom(ai.node, team.shared, team.byRole.member)
  peers.push(asker)
  const asked = await askInRoom(ai.node, asker, team.shared, {
    model: 'openai:gpt-4o-mini',
    question: 'The first wording',
    author: 'm',
  })
  // The device's copy of the chat's room, edited while its update has not reached the server.
  const device = new Y.Doc()
  Y.applyUpdate(device, Y.encodeStateAsUpdate(asked.room.doc))
  const before = Y.encodeStateVector(asked.room.doc)
  editMessageContent(device, asked.chatId, asked.questionId, 'The edited wording')
  const deliver = () => Y.applyUpdate(asked.room.doc, Y.encodeStateAsUpdate(device, before))
  return { team, asker, device, deliver, ...asked }
}

test('the server waits for the edit the request names, then answers the edited question', async () => {
  const { team, device, deliver, chatId, chatRoom, room, questionId } = await setUp()
  openai.script({ chunks: ['Answer'] })
  const request = team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: chatRoom,
    chatId,
    messageId: questionId,
    after: currentClientState(device),
  })
  setTimeout(deliver, 300)
  const res = await request
  expect(res.status).toBe(202)
  const { messageId } = res.body as { messageId: string }
  await until(
    () => messageIn(room.doc, chatId, messageId)?.status,
    (s) => s === 'done',
  )
  const sent = JSON.stringify(openai.requests.at(-1)!.body)
  expect(sent).toContain('The edited wording')
  expect(sent).not.toContain('The first wording')
})

test('a chat created on a device and asked in at once: the server waits for its index entry too', async () => {
  const team = await teamWithEveryRole(h)
  const asker = await joinRoom(ai.node, team.shared, team.byRole.member)
  peers.push(asker)
  // Written on the device first; both rooms' updates reach the server after the request.
  const index = new Y.Doc()
  Y.applyUpdate(index, Y.encodeStateAsUpdate(asker.doc))
  const indexBefore = Y.encodeStateVector(asker.doc)
  const chat = createChat(index, { createdBy: 'm', model: 'openai:gpt-4o-mini' })
  const chatRoom = chatRoomOf(team.shared, chat.id)
  const room = await joinChatRoom(ai.node, asker, chatRoom)
  const device = new Y.Doc()
  openChatRoom(device, chat.id)
  appendMessage(device, chat.id, { role: 'user', authorId: 'm', content: 'Asked offline' })
  openai.script({ chunks: ['Answered'] })
  const request = team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: chatRoom,
    chatId: chat.id,
    after: currentClientState(device),
  })
  setTimeout(() => {
    Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(device))
    setTimeout(() => Y.applyUpdate(asker.doc, Y.encodeStateAsUpdate(index, indexBefore)), 200)
  }, 200)
  const res = await request
  expect(res.status).toBe(202)
  const { messageId } = res.body as { messageId: string }
  await until(
    () => messageIn(room.doc, chat.id, messageId)?.content,
    (c) => c === 'Answered',
  )
  expect(JSON.stringify(openai.requests.at(-1)!.body)).toContain('Asked offline')
})

test('an edit that never arrives is a 409 NOT_SYNCED: nothing is reserved, nothing is answered', async () => {
  const { team, room, device, chatId, chatRoom, questionId } = await setUp()
  const calls = openai.calls()
  const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: chatRoom,
    chatId,
    messageId: questionId,
    after: currentClientState(device),
    generationId: 'never-answered',
  })
  expect(res.status).toBe(409)
  expect(res.body).toMatchObject({ code: 'NOT_SYNCED' })
  expect(openai.calls()).toBe(calls)
  expect(getChatMessages(room.doc, chatId)!.map((m) => m.role)).toEqual(['user'])
  expect(await h.db.select().from(usageReservation).where(eq(usageReservation.id, 'never-answered'))).toEqual([])
})

test('a malformed client state is a 400 naming the field', async () => {
  const { team, chatId, questionId } = await setUp()
  const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: team.shared,
    chatId,
    messageId: questionId,
    after: { clientId: -1, clock: 'x' },
  })
  expect(res.status).toBe(400)
  expect(JSON.stringify(res.body)).toContain('after')
})
