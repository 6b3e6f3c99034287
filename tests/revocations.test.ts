import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRevocationBus, type Revocation } from '../db/revocations'
import { addMember, createWorkspace, poll } from './helpers/fixtures'
import { createHarness, signUp, type Harness } from './helpers/harness'

let h: Harness
const heard: Revocation[] = []
beforeAll(async () => {
  h = await createHarness()
  h.revocations.subscribe((r) => heard.push(r))
})
afterAll(() => h?.close())

async function setup() {
  const owner = await signUp(h, 'Owner')
  const other = await signUp(h, 'Other')
  const ws = await createWorkspace(owner)
  const memberId = await addMember(h, ws.id, other.user!.id, 'member')
  heard.length = 0
  return { owner, other, ws, memberId }
}

describe('membership changes publish revocations for the sync servers', () => {
  test('removing a member revokes that member', async () => {
    const { owner, other, ws, memberId } = await setup()
    expect(
      (await owner.post('/api/auth/organization/remove-member', { organizationId: ws.id, memberIdOrEmail: memberId }))
        .status,
    ).toBe(200)
    expect(heard).toEqual([{ workspaceId: ws.id, userId: other.user!.id, kind: 'removed' }])
  })

  test('a role change revokes that member so they reconnect with the new rights', async () => {
    const { owner, other, ws, memberId } = await setup()
    await owner.post('/api/auth/organization/update-member-role', { organizationId: ws.id, memberId, role: 'viewer' })
    expect(heard).toEqual([{ workspaceId: ws.id, userId: other.user!.id, kind: 'role-changed' }])
  })

  test('leaving revokes the leaver', async () => {
    const { other, ws } = await setup()
    expect((await other.post('/api/auth/organization/leave', { organizationId: ws.id })).status).toBe(200)
    expect(heard).toEqual([{ workspaceId: ws.id, userId: other.user!.id, kind: 'removed' }])
  })

  test('a refused leave revokes nobody', async () => {
    const { owner, ws } = await setup()
    expect((await owner.post('/api/auth/organization/leave', { organizationId: ws.id })).status).toBe(403)
    expect(heard).toEqual([])
  })

  test('deleting a workspace revokes everyone in it', async () => {
    const { owner, ws } = await setup()
    expect((await owner.post('/api/auth/organization/delete', { organizationId: ws.id })).status).toBe(200)
    expect(heard).toEqual([{ workspaceId: ws.id, kind: 'deleted' }])
  })

  test('an ownership transfer revokes both people', async () => {
    const { owner, other, ws, memberId } = await setup()
    expect((await owner.post(`/api/workspaces/${ws.id}/transfer-ownership`, { memberId })).status).toBe(200)
    expect(heard).toEqual([
      { workspaceId: ws.id, userId: owner.user!.id, kind: 'role-changed' },
      { workspaceId: ws.id, userId: other.user!.id, kind: 'role-changed' },
    ])
  })
})

// Redis is a test service like PostgreSQL (started by .ci/run).
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

describe('across nodes through Redis', () => {
  test('a revocation published on one node is heard once on another, and not echoed on its own', async () => {
    const a = createRevocationBus(REDIS_URL)
    const b = createRevocationBus(REDIS_URL)
    try {
      const onA: Revocation[] = []
      const onB: Revocation[] = []
      a.subscribe((r) => onA.push(r))
      b.subscribe((r) => onB.push(r))
      // Subscriptions are asynchronous: publish until the other node hears one.
      const probe: Revocation = { workspaceId: `probe-${Date.now()}`, kind: 'deleted' }
      await poll(
        async () => {
          await a.publish(probe)
          return onB.length
        },
        (n) => n > 0,
      )
      const r: Revocation = { workspaceId: `w-${Date.now()}`, userId: 'u1', kind: 'removed' }
      const about = (list: Revocation[]) => list.filter((x) => x.workspaceId === r.workspaceId)
      await a.publish(r)
      await poll(
        async () => about(onB).length,
        (n) => n === 1,
      )
      // Give a duplicate the time to arrive, if one were coming.
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(about(onB)).toEqual([r])
      expect(about(onA)).toEqual([r])
    } finally {
      await a.close()
      await b.close()
    }
  })
})
