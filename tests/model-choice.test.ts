import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createSidekiq, LOCAL_ORIGIN } from '../shared/doc'
import { privateRoom } from '../shared/rooms'
import { askInRoom, joinRoom, startAi } from './helpers/ai-harness'
import { startFakeAnthropic } from './helpers/fake-anthropic'
import { startFakeOpenAI, type FakeServer } from './helpers/fake-openai'
import { createHarness, type Harness } from './helpers/harness'
import { teamWithEveryRole } from './sync/sync-clients'
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
    OPENAI_API_KEY: 'k',
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: anthropic.url,
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

describe('which model answers', () => {
  test('chat, then sidekiq, then the member’s default, then the workspace’s default, then the built-in one', async () => {
    const team = await teamWithEveryRole(h)
    const peer = await joinRoom(ai.node, team.shared, team.byRole.member)
    peers.push(peer)
    const url = (p: string) => `/api/workspaces/${team.ws.id}/${p}`
    const mine = privateRoom(team.ws.id, team.byRole.member.user!.id)
    const own = await joinRoom(ai.node, mine, team.byRole.member)
    peers.push(own)
    const modelFor = async (opts: { model?: string; sidekiqId?: string }, where: 'shared' | 'private' = 'shared') => {
      const [index, name] = where === 'shared' ? [peer, team.shared] : [own, mine]
      const { chatId, chatRoom } = await askInRoom(ai.node, index, name, { title: 'M', author: 'm', ...opts })
      const res = await team.byRole.member.post(url('generate'), { room: chatRoom, chatId })
      expect(res.status).toBe(202)
      return (res.body as { model: string }).model
    }

    expect(await modelFor({})).toBe('openai:gpt-4o-mini')
    expect((await team.byRole.admin.post(url('default-model'), { model: 'anthropic:claude-sonnet-4-0' })).status).toBe(
      200,
    )
    expect(await modelFor({})).toBe('anthropic:claude-sonnet-4-0')
    const myDefault = await team.byRole.member.post(url('my-default-model'), { model: 'openai:gpt-4.1-mini' })
    expect(myDefault.body).toEqual({ member: 'openai:gpt-4.1-mini', workspace: 'anthropic:claude-sonnet-4-0' })
    expect(await modelFor({})).toBe('openai:gpt-4.1-mini')
    const sidekiq = createSidekiq(
      peer.doc,
      { name: 'S', model: 'openai:gpt-4o', createdBy: team.byRole.member.user!.id },
      LOCAL_ORIGIN,
    )
    expect(await modelFor({ sidekiqId: sidekiq.id })).toBe('openai:gpt-4o')
    // A private chat's sidekiq is read from the shared room, where sidekiqs live.
    expect(await modelFor({ sidekiqId: sidekiq.id }, 'private')).toBe('openai:gpt-4o')
    expect(await modelFor({ sidekiqId: sidekiq.id, model: 'demo' })).toBe('demo')
    // Another member's own default is theirs alone.
    const other = await team.byRole.admin.get(url('models'))
    expect(other.body.defaults).toEqual({ member: null, workspace: 'anthropic:claude-sonnet-4-0' })
    expect(other.body.models.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', 'demo']),
    )
  })

  test('only owners and admins set the workspace default; unknown models are refused', async () => {
    const team = await teamWithEveryRole(h)
    const url = `/api/workspaces/${team.ws.id}/default-model`
    expect((await team.byRole.member.post(url, { model: 'demo' })).status).toBe(403)
    expect((await team.byRole.viewer.post(url, { model: 'demo' })).status).toBe(403)
    const unknown = await team.byRole.owner.post(url, { model: 'anthropic:not-a-model' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.fields).toHaveProperty('model')
    expect((await team.byRole.owner.post(url, { model: null })).body).toEqual({ member: null, workspace: null })
    const outsider = await teamWithEveryRole(h)
    expect((await outsider.byRole.owner.post(url, { model: 'demo' })).status).toBe(404)
    expect((await outsider.byRole.owner.get(`/api/workspaces/${team.ws.id}/models`)).status).toBe(404)
  })
})
