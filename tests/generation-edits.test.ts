import * as Y from 'yjs'
import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import { usageReservation } from '../db/schema'
import { currentClientState, editMessageContent, getChat } from '../shared/doc'
import { askInRoom, joinRoom, messageIn, startAi } from './helpers/ai-harness'
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
  // The device's copy, edited while its update has not reached the server.
  const device = new Y.Doc()
  Y.applyUpdate(device, Y.encodeStateAsUpdate(asker.doc))
  const before = Y.encodeStateVector(asker.doc)
  editMessageContent(device, asked.chatId, asked.questionId, 'The edited wording')
  const deliver = () => Y.applyUpdate(asker.doc, Y.encodeStateAsUpdate(device, before))
  return { team, asker, device, deliver, ...asked }
}

test('the server waits for the edit the request names, then answers the edited question', async () => {
  const { team, asker, device, deliver, chatId, questionId } = await setUp()
  openai.script({ chunks: ['Answer'] })
  const request = team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: team.shared,
    chatId,
    messageId: questionId,
    after: currentClientState(device),
  })
  setTimeout(deliver, 300)
  const res = await request
  expect(res.status).toBe(202)
  const { messageId } = res.body as { messageId: string }
  await until(
    () => messageIn(asker.doc, chatId, messageId)?.status,
    (s) => s === 'done',
  )
  const sent = JSON.stringify(openai.requests.at(-1)!.body)
  expect(sent).toContain('The edited wording')
  expect(sent).not.toContain('The first wording')
})

test('an edit that never arrives is a 409 NOT_SYNCED: nothing is reserved, nothing is answered', async () => {
  const { team, asker, device, chatId, questionId } = await setUp()
  const calls = openai.calls()
  const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
    room: team.shared,
    chatId,
    messageId: questionId,
    after: currentClientState(device),
    generationId: 'never-answered',
  })
  expect(res.status).toBe(409)
  expect(res.body).toMatchObject({ code: 'NOT_SYNCED' })
  expect(openai.calls()).toBe(calls)
  expect(getChat(asker.doc, chatId)!.messages.map((m) => m.role)).toEqual(['user'])
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
