import { randomUUID } from 'node:crypto'
import { eq, inArray } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { session, usageEvent, usageReservation } from '../db/schema'
import { createSidekiq, getChatMessages, LOCAL_ORIGIN } from '../shared/doc'
import { chatRoomOf, privateRoom, sharedRoom } from '../shared/rooms'
import { askInRoom, joinRoom, startAi } from './helpers/ai-harness'
import { startFakeOpenAI, type FakeServer } from './helpers/fake-openai'
import { ghostId, poll } from './helpers/fixtures'
import { createHarness, TestClient, type Harness } from './helpers/harness'
import { teamWithEveryRole } from './sync/sync-clients'
import type { Peer } from './sync/sync-harness'

let h: Harness
let openai: FakeServer
let ai: Awaited<ReturnType<typeof startAi>>
const peers: Peer[] = []

beforeAll(async () => {
  openai = await startFakeOpenAI()
  h = await createHarness({ OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'test-key' })
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

async function join(room: string, client: Parameters<typeof joinRoom>[2]) {
  const peer = await joinRoom(ai.node, room, client)
  peers.push(peer)
  return peer
}

const MODEL = 'openai:gpt-4o-mini'

describe('quota under concurrency', () => {
  test('with room for exactly K calls, 50 parallel requests make exactly K calls and K usage events; the rest get 402', async () => {
    const K = 7
    const team = await teamWithEveryRole(h)
    const peer = await join(team.shared, team.byRole.member)
    const { chatId, chatRoom, room } = await askInRoom(ai.node, peer, team.shared, {
      model: MODEL,
      title: 'Quota',
      author: 'm',
    })
    const url = `/api/workspaces/${team.ws.id}/generate`

    // What one request reserves, read from a call held open, then stopped.
    openai.script({ chunks: ['x'], hangAfter: 0 })
    const probe = await team.byRole.member.post(url, { room: chatRoom, chatId, generationId: 'probe' })
    const [held] = await poll(
      () => h.db.select().from(usageReservation).where(eq(usageReservation.id, 'probe')),
      (rows) => rows.length === 1,
    )
    const estimate = held.amountMicros
    await team.byRole.member.post(`${url}/${(probe.body as { messageId: string }).messageId}/stop`, {
      room: chatRoom,
      chatId,
    })
    await ai.ai.registry.settled()

    // Spend the budget down to room for K estimates and half of one more.
    const { remainingMicros } = (await team.byRole.owner.get(`/api/workspaces/${team.ws.id}/usage`)).body as {
      remainingMicros: number
    }
    const now = new Date()
    await h.db.insert(usageEvent).values({
      id: randomUUID(),
      workspaceId: team.ws.id,
      userId: team.byRole.owner.user!.id,
      chatId: null,
      kind: 'answer',
      model: MODEL,
      inputTokens: 0,
      outputTokens: 0,
      costMicros: remainingMicros - (K * estimate + Math.floor(estimate / 2)),
      startedAt: now,
      endedAt: now,
      outcome: 'done',
    })

    // Answers that hang: none settles (and frees part of its reservation) before every request is decided.
    openai.script({ chunks: ['slow answer'], hangAfter: 0 })
    const callsBefore = openai.calls()
    const ids = Array.from({ length: 50 }, (_, i) => `burst-${i}`)
    const responses = await Promise.all(
      ids.map((generationId) => team.byRole.member.post(url, { room: chatRoom, chatId, generationId })),
    )
    const statuses = responses.map((r) => r.status)
    expect(statuses.filter((s) => s === 202)).toHaveLength(K)
    expect(statuses.filter((s) => s === 402)).toHaveLength(50 - K)
    for (const r of responses.filter((r) => r.status === 402)) {
      expect(r.body).toMatchObject({ code: 'QUOTA_EXCEEDED' })
    }
    const started = ids.filter((_, i) => responses[i].status === 202)
    await poll(
      async () => openai.calls() - callsBefore,
      (n) => n >= K,
    )
    // End them (each records its usage), then count.
    for (const id of started) {
      expect((await team.byRole.member.post(`${url}/${id}/stop`, { room: chatRoom, chatId })).status).toBe(200)
    }
    await ai.ai.registry.settled()
    expect(openai.calls() - callsBefore).toBe(K)
    const events = await h.db.select().from(usageEvent).where(inArray(usageEvent.id, ids))
    expect(events).toHaveLength(K)
    expect(new Set(events.map((e) => e.id))).toEqual(new Set(started))
    // Refused requests left nothing behind: no answer in the room, no reservation.
    // (The peer gets the room's last changes over its websocket a moment after the server stored them.)
    const answers = await poll(
      async () => getChatMessages(room.doc, chatId)!.filter((m) => m.role === 'assistant' && m.id.startsWith('burst-')),
      (list) => list.length >= K,
    )
    expect(answers).toHaveLength(K)
    expect(await h.db.select().from(usageReservation).where(inArray(usageReservation.id, ids))).toHaveLength(0)
  })
})

describe('isolation: a member of workspace A reaches nothing of workspace B', () => {
  test('without a live session (none, or expired): 401, and the model is not called', async () => {
    const team = await teamWithEveryRole(h)
    const peer = await join(team.shared, team.byRole.member)
    const { chatId } = await askInRoom(ai.node, peer, team.shared, { model: MODEL, title: 'Who', author: 'm' })
    const url = `/api/workspaces/${team.ws.id}/generate`
    const body = { room: team.shared, chatId }
    const callsBefore = openai.calls()
    expect((await new TestClient(h).post(url, body)).status).toBe(401)
    await h.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(session.userId, team.byRole.member.user!.id))
    expect((await team.byRole.member.post(url, body)).status).toBe(401)
    expect(openai.calls()).toBe(callsBefore)
  })

  test('through any combination of workspace, room, chat, message and sidekiq', async () => {
    const a = await teamWithEveryRole(h)
    const b = await teamWithEveryRole(h)
    const mA = a.byRole.member
    const peerA = await join(a.shared, mA)
    const peerB = await join(b.shared, b.byRole.owner)
    const sidekiqB = createSidekiq(
      peerB.doc,
      { name: 'B only', instructions: 'SECRET-B-INSTRUCTIONS', model: MODEL, createdBy: b.byRole.owner.user!.id },
      LOCAL_ORIGIN,
    )
    const chatB = await askInRoom(ai.node, peerB, b.shared, { model: MODEL, title: 'B', author: 'b' })
    const chatA = await askInRoom(ai.node, peerA, a.shared, { model: MODEL, title: 'A', author: 'a' })
    const chatAWithB = await askInRoom(ai.node, peerA, a.shared, {
      model: MODEL,
      title: 'A using B sidekiq',
      author: 'a',
      sidekiqId: sidekiqB.id,
    })
    openai.script({ chunks: ['fine'] })
    const callsBefore = openai.calls()
    const bMessagesBefore = getChatMessages(chatB.room.doc, chatB.chatId)!.length

    const cases: { name: string; ws: string; body: Record<string, unknown> }[] = [
      { name: 'B room under A', ws: a.ws.id, body: { room: b.shared, chatId: chatB.chatId } },
      { name: 'B room under B', ws: b.ws.id, body: { room: b.shared, chatId: chatB.chatId } },
      { name: 'A room under B', ws: b.ws.id, body: { room: a.shared, chatId: chatA.chatId } },
      { name: 'B chat in A room', ws: a.ws.id, body: { room: a.shared, chatId: chatB.chatId } },
      {
        name: 'B question in A chat',
        ws: a.ws.id,
        body: { room: a.shared, chatId: chatA.chatId, messageId: chatB.questionId },
      },
      {
        name: 'B owner private room',
        ws: a.ws.id,
        body: { room: privateRoom(b.ws.id, b.byRole.owner.user!.id), chatId: chatB.chatId },
      },
      {
        name: 'B owner private room under B',
        ws: b.ws.id,
        body: { room: privateRoom(b.ws.id, b.byRole.owner.user!.id), chatId: chatB.chatId },
      },
      {
        name: 'A colleague private room',
        ws: a.ws.id,
        body: { room: privateRoom(a.ws.id, a.byRole.admin.user!.id), chatId: chatA.chatId },
      },
      { name: 'unknown workspace', ws: ghostId(), body: { room: sharedRoom(ghostId()), chatId: chatA.chatId } },
      { name: 'malformed room', ws: a.ws.id, body: { room: 'w/../etc', chatId: chatA.chatId } },
      // Chat rooms (decision 021): access follows the index room; a chat room names its one chat.
      { name: 'B chat room under A', ws: a.ws.id, body: { room: chatB.chatRoom, chatId: chatB.chatId } },
      { name: 'B chat room under B', ws: b.ws.id, body: { room: chatB.chatRoom, chatId: chatB.chatId } },
      { name: 'A chat room, another chat', ws: a.ws.id, body: { room: chatA.chatRoom, chatId: chatB.chatId } },
      {
        name: 'B question in A chat room',
        ws: a.ws.id,
        body: { room: chatA.chatRoom, chatId: chatA.chatId, messageId: chatB.questionId },
      },
      {
        name: 'B chat as a B owner private chat room',
        ws: b.ws.id,
        body: { room: chatRoomOf(privateRoom(b.ws.id, b.byRole.owner.user!.id), chatB.chatId), chatId: chatB.chatId },
      },
      {
        name: 'A colleague private chat room',
        ws: a.ws.id,
        body: { room: chatRoomOf(privateRoom(a.ws.id, a.byRole.admin.user!.id), chatA.chatId), chatId: chatA.chatId },
      },
      {
        name: 'A chat room, chat not listed in it',
        ws: a.ws.id,
        body: { room: chatRoomOf(a.shared, 'nochat'), chatId: 'nochat' },
      },
    ]
    const results = []
    for (const c of cases) {
      const res = await mA.post(`/api/workspaces/${c.ws}/generate`, c.body)
      results.push([c.name, res.status])
    }
    expect(results).toEqual(cases.map((c) => [c.name, 404]))

    // Stop and usage of B: the same 404.
    expect(
      (
        await mA.post(`/api/workspaces/${b.ws.id}/generate/${chatB.questionId}/stop`, {
          room: b.shared,
          chatId: chatB.chatId,
        })
      ).status,
    ).toBe(404)
    expect(
      (
        await mA.post(`/api/workspaces/${a.ws.id}/generate/${chatB.questionId}/stop`, {
          room: chatB.chatRoom,
          chatId: chatB.chatId,
        })
      ).status,
    ).toBe(404)
    expect((await mA.get(`/api/workspaces/${b.ws.id}/usage`)).status).toBe(404)

    // B's sidekiq named from A's chat is not found in A's shared room: its instructions never reach the model.
    const withSidekiq = await mA.post(`/api/workspaces/${a.ws.id}/generate`, {
      room: a.shared,
      chatId: chatAWithB.chatId,
    })
    expect(withSidekiq.status).toBe(202)
    await ai.ai.registry.settled()
    expect(openai.calls()).toBe(callsBefore + 1)
    expect(JSON.stringify(openai.requests.at(-1)!.body)).not.toContain('SECRET-B')

    // Nothing was written into B or charged to it.
    expect(getChatMessages(chatB.room.doc, chatB.chatId)).toHaveLength(bMessagesBefore)
    expect(await h.db.select().from(usageEvent).where(eq(usageEvent.workspaceId, b.ws.id))).toHaveLength(0)
  })

  test('a sidekiq of the same workspace does reach the model as the system prompt', async () => {
    const a = await teamWithEveryRole(h)
    const peer = await join(a.shared, a.byRole.member)
    const sidekiq = createSidekiq(
      peer.doc,
      { name: 'Pirate', instructions: 'Answer like a pirate.', model: MODEL, createdBy: a.byRole.member.user!.id },
      LOCAL_ORIGIN,
    )
    const { chatId } = await askInRoom(ai.node, peer, a.shared, { title: 'Arr', author: 'm', sidekiqId: sidekiq.id })
    openai.script({ chunks: ['Arr'] })
    const res = await a.byRole.member.post(`/api/workspaces/${a.ws.id}/generate`, { room: a.shared, chatId })
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({ model: MODEL })
    await ai.ai.registry.settled()
    expect(JSON.stringify(openai.requests.at(-1)!.body)).toContain('Answer like a pirate.')
  })
})
