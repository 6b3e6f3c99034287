import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { usageEvent } from '../db/schema'
import { costMicros, findModel } from '../shared/models'
import { privateRoom, sharedRoom } from '../shared/rooms'
import { getChat, getChatSummary } from '../shared/doc'
import { askInRoom, joinRoom, messageIn, startAi } from './helpers/ai-harness'
import { startFakeAnthropic } from './helpers/fake-anthropic'
import { startFakeOpenAI } from './helpers/fake-openai'
import type { FakeServer } from './helpers/fake-openai'
import { createHarness, type Harness } from './helpers/harness'
import { teamWithEveryRole, until } from './sync/sync-clients'
import type { Peer } from './sync/sync-harness'

let h: Harness
let openai: FakeServer
let anthropic: FakeServer
let ai: Awaited<ReturnType<typeof startAi>>
const peers: Peer[] = []

beforeAll(async () => {
  openai = await startFakeOpenAI()
  anthropic = await startFakeAnthropic()
  h = await createHarness({
    OPENAI_BASE_URL: openai.url,
    OPENAI_API_KEY: 'test-key',
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: anthropic.url,
    AI_TIMEOUT_MS: 1500,
  })
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
  await anthropic?.close()
})

async function join(room: string, client: Parameters<typeof joinRoom>[2]) {
  const peer = await joinRoom(ai.node, room, client)
  peers.push(peer)
  return peer
}

const usageOf = (generationId: string) => h.db.select().from(usageEvent).where(eq(usageEvent.id, generationId))

describe.each([
  { provider: 'OpenAI chat completions', model: 'openai:gpt-4o-mini', fake: () => openai },
  { provider: 'Anthropic messages', model: 'anthropic:claude-3-5-haiku-latest', fake: () => anthropic },
])('an answer from $provider', ({ model, fake }) => {
  test('streams into the room live for another member, ends done, and is metered once at the catalog price', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    const chunks = ['The capital', ' of France', ' is', ' Paris', '.']
    fake().script({ chunks, delayMs: 120, usage: { inputTokens: 31, outputTokens: 9 } })
    const { chatId, chatRoom } = await askInRoom(ai.node, asker, team.shared, { model, title: 'Geo', author: 'm' })
    // Another member has the chat open: connected to the chat's own room (decision 021).
    const watcher = await join(chatRoom, team.byRole.admin)

    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
      room: chatRoom,
      chatId,
    })
    expect(res.status).toBe(202)
    const { messageId } = res.body as { messageId: string }

    // Seen by the other member while it is still streaming: a strict, growing prefix.
    const seen = new Set<string>()
    await until(
      () => {
        const m = messageIn(watcher.doc, chatId, messageId)
        if (m?.status === 'streaming' && m.content) seen.add(m.content)
        return m?.status
      },
      (s) => s === 'done',
    )
    const final = messageIn(watcher.doc, chatId, messageId)!
    expect(final.content).toBe(chunks.join(''))
    // Every partial seen is a prefix of the answer, and at least one came before the end.
    for (const partial of seen) expect(chunks.join('').startsWith(partial)).toBe(true)
    expect([...seen].some((partial) => partial.length < final.content.length)).toBe(true)
    expect(final.model).toBe(model)
    const price = costMicros(findModel(model)!, { inputTokens: 31, outputTokens: 9 })
    expect(final.usage).toEqual({ inputTokens: 31, outputTokens: 9, costMicros: price })
    // Time to first token counts the request's own work and the provider's reply; the writing
    // time spans the four pauses the fake makes between its five chunks (4 x 120 ms, less slack).
    expect(final.timing?.firstTokenMs).toBeGreaterThan(0)
    expect(final.timing?.durationMs).toBeGreaterThanOrEqual(300)
    expect(Number.isInteger(final.timing?.firstTokenMs) && Number.isInteger(final.timing?.durationMs)).toBe(true)

    await ai.ai.registry.settled()
    const events = await usageOf(messageId)
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      workspaceId: team.ws.id,
      userId: team.byRole.member.user!.id,
      chatId,
      kind: 'answer',
      model,
      inputTokens: 31,
      outputTokens: 9,
      costMicros: price,
      outcome: 'done',
    })
    // The question reached the provider.
    expect(JSON.stringify(fake().requests.at(-1)!.body)).toContain('What is the capital of France?')
    // The asker's sidebar (the index room alone) shows the answer as the chat's last message.
    await until(
      () => getChatSummary(asker.doc, chatId),
      (c) => c?.messageCount === 2 && c.lastRole === 'assistant' && c.preview === chunks.join(''),
    )
  })

  test('stop ends the stream, keeps the partial answer, and records its usage', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    fake().script({ chunks: ['Once', ' upon', ' a', ' time', ' there'], delayMs: 50, hangAfter: 2 })
    const calls = fake().calls()
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, {
      model,
      title: 'Story',
      author: 'm',
    })
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })
    const { messageId } = res.body as { messageId: string }
    await until(
      () => messageIn(room.doc, chatId, messageId)?.content,
      (c) => c === 'Once upon',
    )
    // Anyone who may ask in the room may stop: here, another member.
    const stop = await team.byRole.admin.post(`/api/workspaces/${team.ws.id}/generate/${messageId}/stop`, {
      room: chatRoom,
      chatId,
    })
    expect(stop.status).toBe(200)
    expect(stop.body).toEqual({ status: 'stopped' })
    await until(
      () => messageIn(room.doc, chatId, messageId)?.status,
      (s) => s === 'stopped',
    )
    expect(messageIn(room.doc, chatId, messageId)!.content).toBe('Once upon')
    expect(fake().calls()).toBe(calls + 1)
    await until(
      () => fake().requests.at(-1)!.clientDisconnected,
      (d) => d === true,
    )
    const [event] = await usageOf(messageId)
    expect(event).toMatchObject({ outcome: 'stopped', kind: 'answer' })
    expect(event.outputTokens).toBeGreaterThan(0)
    expect(event.costMicros).toBe(
      costMicros(findModel(model)!, { inputTokens: event.inputTokens, outputTokens: event.outputTokens }),
    )
  })

  test('a provider error ends the answer with status error and a reason, without hanging', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    fake().script({ status: 400, errorMessage: 'model overloaded' })
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, {
      model,
      title: 'Err',
      author: 'm',
    })
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })
    const { messageId } = res.body as { messageId: string }
    await until(
      () => messageIn(room.doc, chatId, messageId)?.status,
      (s) => s === 'error',
    )
    expect(messageIn(room.doc, chatId, messageId)!.error).toMatch(/provider/i)
    // No text came, so there is no speed to tell.
    expect(messageIn(room.doc, chatId, messageId)!.timing).toBeUndefined()
    await ai.ai.registry.settled()
    expect(await usageOf(messageId)).toHaveLength(1)
  })
})

describe('failures that do not hang', () => {
  test('a connection lost mid-stream keeps the text received and ends in error', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    openai.script({ chunks: ['Half', ' an', ' answer', ' here'], delayMs: 30, dropAfter: 2 })
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, {
      model: 'openai:gpt-4o-mini',
      title: 'Drop',
      author: 'm',
    })
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })
    const { messageId } = res.body as { messageId: string }
    await until(
      () => messageIn(room.doc, chatId, messageId)?.status,
      (s) => s === 'error',
    )
    expect(messageIn(room.doc, chatId, messageId)!.content).toBe('Half an')
  })

  test('a model that stops sending is ended by the timeout with a clear reason', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    openai.script({ chunks: ['Thinking', ' very', ' hard'], delayMs: 20, hangAfter: 1 })
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, {
      model: 'openai:gpt-4o-mini',
      title: 'Slow',
      author: 'm',
    })
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })
    const { messageId } = res.body as { messageId: string }
    await until(
      () => messageIn(room.doc, chatId, messageId)?.status,
      (s) => s === 'error',
      5000,
    )
    expect(messageIn(room.doc, chatId, messageId)!.error).toMatch(/too long/)
    expect(messageIn(room.doc, chatId, messageId)!.content).toBe('Thinking')
  })
})

describe('retries, versions and titles', () => {
  test('a retried request with the same generation id starts nothing and records nothing twice', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    openai.script({ chunks: ['Once'], usage: { inputTokens: 5, outputTokens: 1 } })
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, {
      model: 'openai:gpt-4o-mini',
      title: 'Retry',
      author: 'm',
    })
    // The first request names the index room (a client from before decision 021), the retry the chat's room.
    const body = { room: team.shared, chatId, generationId: 'gen-retry-1' }
    const calls = openai.calls()
    const first = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, body)
    expect(first.body).toMatchObject({ status: 'started', messageId: 'gen-retry-1' })
    await ai.ai.registry.settled()
    const again = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { ...body, room: chatRoom })
    expect(again.status).toBe(202)
    expect(again.body).toMatchObject({ status: 'exists', messageId: 'gen-retry-1' })
    await ai.ai.registry.settled()
    expect(openai.calls()).toBe(calls + 1)
    expect(await usageOf('gen-retry-1')).toHaveLength(1)
    await until(
      () => messageIn(room.doc, chatId, 'gen-retry-1')?.status,
      (s) => s === 'done',
    )
    expect(getChat(asker.doc, chatId, room.doc)!.messages.filter((m) => m.role === 'assistant')).toHaveLength(1)
  })

  test('regenerating keeps the earlier answer as a previous version; the model sees only the latest turn', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    const { chatId, questionId, room } = await askInRoom(ai.node, asker, team.shared, {
      model: 'openai:gpt-4o-mini',
      title: 'Versions',
      author: 'm',
    })
    const ask = async (text: string) => {
      openai.script({ chunks: [text] })
      const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
        room: team.shared,
        chatId,
        messageId: questionId,
      })
      await ai.ai.registry.settled()
      return (res.body as { messageId: string }).messageId
    }
    const first = await ask('First answer')
    const second = await ask('Second answer')
    await until(
      () => messageIn(room.doc, chatId, second)?.status,
      (s) => s === 'done',
    )
    const answers = getChat(asker.doc, chatId, room.doc)!.messages.filter((m) => m.replyTo === questionId)
    expect(answers.map((m) => [m.id, m.content])).toEqual([
      [first, 'First answer'],
      [second, 'Second answer'],
    ])
    // Re-asking the same question sends the question alone, not the earlier answer to it.
    const sent = JSON.stringify(openai.requests.at(-1)!.body)
    expect(sent).not.toContain('First answer')
  })

  test('a chat gets a title after its first answer, metered as its own call', async () => {
    const team = await teamWithEveryRole(h)
    const asker = await join(team.shared, team.byRole.member)
    const { chatId, chatRoom, room } = await askInRoom(ai.node, asker, team.shared, { model: 'demo', author: 'm' })
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })
    const { messageId } = res.body as { messageId: string }
    await ai.ai.registry.settled()
    await until(
      () => getChat(asker.doc, chatId)?.title,
      (t) => !!t,
    )
    expect(messageIn(room.doc, chatId, messageId)!.content).toMatch(/Demo model/)
    const title = await usageOf(`${messageId}.title`)
    expect(title).toHaveLength(1)
    expect(title[0]).toMatchObject({ kind: 'title', model: 'demo', chatId })
    expect(title[0].costMicros).toBeGreaterThan(0)
  })
})

describe('who may ask', () => {
  test('a viewer may not ask (403); a member may ask in their own private room', async () => {
    const team = await teamWithEveryRole(h)
    const viewer = await join(team.shared, team.byRole.viewer)
    const member = await join(team.shared, team.byRole.member)
    const { chatId, chatRoom } = await askInRoom(ai.node, member, team.shared, {
      model: 'demo',
      title: 'T',
      author: 'm',
    })
    void viewer
    const refused = await team.byRole.viewer.post(`/api/workspaces/${team.ws.id}/generate`, {
      room: chatRoom,
      chatId,
    })
    expect(refused.status).toBe(403)

    const mine = privateRoom(team.ws.id, team.byRole.member.user!.id)
    const own = await join(mine, team.byRole.member)
    const privateChat = await askInRoom(ai.node, own, mine, { model: 'demo', title: 'Mine', author: 'm' })
    const ok = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
      room: mine,
      chatId: privateChat.chatId,
    })
    expect(ok.status).toBe(202)
  })

  test('too many requests from one member in a minute are refused with 429', async () => {
    const team = await teamWithEveryRole(h)
    const peer = await join(team.shared, team.byRole.member)
    const { chatId, chatRoom } = await askInRoom(ai.node, peer, team.shared, {
      model: 'demo',
      title: 'Busy',
      author: 'm',
    })
    const limiter = ai.ai.limiter
    try {
      ai.ai.limiter = (await import('../app/server/ai/rate-limit')).createRateLimiter({ limit: 2, windowMs: 60_000 })
      const statuses = []
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: chatRoom, chatId })).status,
        )
      }
      expect(statuses).toEqual([202, 202, 429])
      // Another member is not held up by the first one's requests.
      const other = await team.byRole.admin.post(`/api/workspaces/${team.ws.id}/generate`, {
        room: team.shared,
        chatId,
      })
      expect(other.status).toBe(202)
    } finally {
      ai.ai.limiter = limiter
    }
  })

  test('bad input is a 400 naming the field, not a crash', async () => {
    const team = await teamWithEveryRole(h)
    const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, { room: 42 })
    expect(res.status).toBe(400)
    expect(Object.keys((res.body as { fields: Record<string, string> }).fields)).toEqual(
      expect.arrayContaining(['room', 'chatId']),
    )
    const malformed = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, '{not json')
    expect(malformed.status).toBe(400)
    const shared = sharedRoom(team.ws.id)
    const extra = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
      room: shared,
      chatId: 'abc',
      surprise: true,
    })
    expect(extra.status).toBe(400)
  })
})
