import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { usageEvent, usageReservation } from '../db/schema'
import { getChatMessages } from '../shared/doc'
import { askInRoom, joinRoom, messageIn, startAi } from './helpers/ai-harness'
import { startFakeOpenAI, type FakeServer } from './helpers/fake-openai'
import { createHarness, type Harness } from './helpers/harness'
import { teamWithEveryRole, until } from './sync/sync-clients'
import type { Peer } from './sync/sync-harness'

/**
 * A chat's room has a size limit of its own (decision 021). An answer that
 * reaches it ends in error saying so, the text up to the limit kept and
 * metered once; a full chat takes no new answer, and the rest of the
 * workspace goes on.
 */
let h: Harness
let openai: FakeServer
let ai: Awaited<ReturnType<typeof startAi>>
const peers: Peer[] = []
/** Small enough for a few kilobytes of answer to fill a chat. */
const MAX_CHAT_ROOM_BYTES = 4000
const MODEL = 'openai:gpt-4o-mini'

beforeAll(async () => {
  openai = await startFakeOpenAI()
  h = await createHarness({ OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key', AI_TIMEOUT_MS: 5000 })
  ai = await startAi(h, { limits: { maxChatRoomBytes: MAX_CHAT_ROOM_BYTES } })
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

const usageOf = (id: string) => h.db.select().from(usageEvent).where(eq(usageEvent.id, id))

test('an answer that fills its chat ends in error with the reason; what was written stays and is metered once', async () => {
  const team = await teamWithEveryRole(h)
  const asker = await joinRoom(ai.node, team.shared, team.byRole.member)
  peers.push(asker)
  const full = await askInRoom(ai.node, asker, team.shared, { model: MODEL, title: 'Long', author: 'm' })
  const chunk = 'x'.repeat(1000)
  openai.script({ chunks: Array.from({ length: 12 }, () => chunk), delayMs: 30 })
  const url = `/api/workspaces/${team.ws.id}/generate`
  const res = await team.byRole.member.post(url, { room: full.chatRoom, chatId: full.chatId })
  expect(res.status).toBe(202)
  const { messageId } = res.body as { messageId: string }
  await until(
    () => messageIn(full.room.doc, full.chatId, messageId)?.status,
    (s) => s === 'error',
  )
  const answer = messageIn(full.room.doc, full.chatId, messageId)!
  expect(answer.error).toMatch(/chat is full/)
  // Written up to the limit (a room grows past it by one write at most), not the whole answer.
  expect(answer.content.length).toBeGreaterThan(0)
  expect(answer.content.length).toBeLessThan(12_000)
  await ai.ai.registry.settled()
  const events = await usageOf(messageId)
  expect(events).toHaveLength(1)
  expect(events[0]).toMatchObject({ outcome: 'error', kind: 'answer' })
  expect(events[0].outputTokens).toBeGreaterThan(0)

  // Asked again in the full chat: refused before the model is called or quota held.
  const calls = openai.calls()
  const again = await team.byRole.member.post(url, {
    room: full.chatRoom,
    chatId: full.chatId,
    generationId: 'no-room',
  })
  expect(again.status).toBe(403)
  expect(again.body).toMatchObject({ code: 'LIMIT_REACHED', message: expect.stringMatching(/chat is full/) })
  expect(openai.calls()).toBe(calls)
  expect(await h.db.select().from(usageReservation).where(eq(usageReservation.id, 'no-room'))).toEqual([])

  // Another chat of the workspace is answered as ever.
  const other = await askInRoom(ai.node, asker, team.shared, { model: MODEL, title: 'Short', author: 'm' })
  openai.script({ chunks: ['Fine.'] })
  const ok = await team.byRole.member.post(url, { room: other.chatRoom, chatId: other.chatId })
  expect(ok.status).toBe(202)
  await until(
    () => getChatMessages(other.room.doc, other.chatId)?.find((m) => m.role === 'assistant')?.status,
    (s) => s === 'done',
  )
})
