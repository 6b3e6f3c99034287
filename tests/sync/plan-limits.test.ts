import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { countSidekiqs, createSidekiq, LOCAL_ORIGIN, listSidekiqs } from '../../shared/doc'
import { PLANS } from '../../shared/plans'
import { setPlan } from '../helpers/fixtures'
import { createHarness, type Harness, type TestClient } from '../helpers/harness'
import { roundTrip, storedDoc, synced, teamWithEveryRole, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
let node: SyncNode
let peers: Peer[] = []

beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h)
})
afterEach(() => {
  for (const p of peers) p.destroy()
  peers = []
})
afterAll(async () => {
  await node?.stop()
  await h?.close()
})

const peer = (room: string, token: string) => {
  const p = connectPeer(node, room, token)
  peers.push(p)
  return p
}

/** A sidekiq added by `by`, in their own name (the server takes out one claiming another creator). */
const add = (p: Peer, by: TestClient, id: string) =>
  createSidekiq(p.doc, { id, name: `Sidekiq ${id}`, model: 'demo', createdBy: by.user!.id }, LOCAL_ORIGIN)

describe('the plan’s sidekiq limit, held by the sync server', () => {
  test('sidekiqs beyond the limit are taken out again for everyone; the author’s later edits still land', async () => {
    const team = await teamWithEveryRole(h)
    const limit = PLANS.free.limits.sidekiqs!
    const member = peer(team.shared, sessionToken(team.byRole.member))
    const admin = peer(team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(member), synced(admin)])
    for (let i = 0; i < limit; i++) add(member, team.byRole.member, `fits-${i}`)
    await until(
      () => countSidekiqs(admin.doc),
      (n) => n === limit,
    )
    const refusedBefore = node.server.metrics.refusedSidekiqs

    add(member, team.byRole.member, 'one-too-many')
    await until(
      () => node.server.metrics.refusedSidekiqs - refusedBefore,
      (n) => n === 1,
    )
    await until(
      () => countSidekiqs(member.doc),
      (n) => n === limit,
    )
    await roundTrip(admin)
    expect(listSidekiqs(admin.doc).map((s) => s.id)).not.toContain('one-too-many')
    expect(countSidekiqs(await storedDoc(h, team.shared))).toBe(limit)

    // The member's connection goes on: a later edit reaches the others.
    member.doc.getText('note').insert(0, 'after the refusal')
    await until(
      () => admin.doc.getText('note').toString(),
      (t) => t === 'after the refusal',
    )
  })

  test('a bigger plan lets them in; after a downgrade the existing ones stay and no new one is added', async () => {
    const team = await teamWithEveryRole(h)
    const free = PLANS.free.limits.sidekiqs!
    await setPlan(h, team.ws.id, 'pro')
    const owner = peer(team.shared, sessionToken(team.byRole.owner))
    const viewer = peer(team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(owner), synced(viewer)])
    for (let i = 0; i < free + 2; i++) add(owner, team.byRole.owner, `pro-${i}`)
    await until(
      () => countSidekiqs(viewer.doc),
      (n) => n === free + 2,
    )

    await setPlan(h, team.ws.id, 'free')
    add(owner, team.byRole.owner, 'after-downgrade')
    await until(
      () => countSidekiqs(owner.doc),
      (n) => n === free + 2,
    )
    await roundTrip(viewer)
    const ids = listSidekiqs(viewer.doc).map((s) => s.id)
    expect(ids).toHaveLength(free + 2)
    expect(ids).not.toContain('after-downgrade')
  })
})
