import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { appendMessage, createChat, getChat, LOCAL_ORIGIN, newId } from '../shared/doc'
import { joinRoom, messageIn, startAi } from './helpers/ai-harness'
import { createHarness, type Harness } from './helpers/harness'
import { teamWithEveryRole, until } from './sync/sync-clients'
import type { Peer } from './sync/sync-harness'

// The browser writes its question into the room over the websocket and asks
// for the answer over HTTP at the same moment; the request may win the race.

let h: Harness
let ai: Awaited<ReturnType<typeof startAi>>
const peers: Peer[] = []

beforeAll(async () => {
  h = await createHarness()
  ai = await startAi(h)
})
afterEach(async () => {
  await ai.ai.registry.settled()
  for (const p of peers.splice(0)) p.destroy()
})
afterAll(async () => {
  await ai?.stop()
  await h?.close()
})

async function chatOnServer(author: string) {
  const team = await teamWithEveryRole(h)
  const peer = await joinRoom(ai.node, team.shared, team.byRole.member)
  peers.push(peer)
  const chat = createChat(peer.doc, { createdBy: author }, LOCAL_ORIGIN)
  const hold = await ai.node.server.openRoom(team.shared, team.ws.id)
  try {
    await until(
      () => getChat(hold.room.doc, chat.id) !== null,
      (present) => present,
    )
  } finally {
    hold.release()
  }
  return { team, peer, chatId: chat.id }
}

test('an answer asked for before its question reached the room waits for the question, then answers it', async () => {
  const { team, peer, chatId } = await chatOnServer('m')
  const questionId = newId()
  const asked = team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: team.shared,
    chatId,
    messageId: questionId,
  })
  // The question arrives after the request, as over a slow websocket.
  await new Promise((resolve) => setTimeout(resolve, 400))
  appendMessage(peer.doc, chatId, { id: questionId, role: 'user', authorId: 'm', content: 'Late question' })
  const res = await asked
  expect(res.status).toBe(202)
  const { messageId } = res.body as { messageId: string }
  await until(
    () => messageIn(peer.doc, chatId, messageId)?.status,
    (s) => s === 'done',
  )
})

test('a question that never arrives is still "Message not found" once the wait is over', async () => {
  const { team, chatId } = await chatOnServer('m')
  const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: team.shared,
    chatId,
    messageId: newId(),
  })
  expect(res.status).toBe(404)
  expect((res.body as { message: string }).message).toBe('Message not found')
})
