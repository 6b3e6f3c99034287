import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createRevocationBus, type Revocation } from '../../db/revocations'
import { createWorkspace, memberRow, poll } from '../helpers/fixtures'
import { createHarness, type Harness } from '../helpers/harness'
import { logRows, rawClient, roundTrip, storedDoc, synced, teamWithEveryRole, textOf, until } from './sync-clients'
import { REDIS_URL, connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

/**
 * Two sync nodes, each with its own Redis revocation bus and fan-out; the
 * HTTP API publishes membership changes on a third bus, as a separate app
 * server would.
 */
let h: Harness
let nodes: [SyncNode, SyncNode]
let peers: Peer[] = []

beforeAll(async () => {
  h = await createHarness({}, createRevocationBus(REDIS_URL))
  nodes = [await startSyncNode(h, { redis: true }), await startSyncNode(h, { redis: true })]
  // Redis subscriptions are asynchronous: publish a harmless probe until both nodes hear one.
  const heard = nodes.map(() => 0)
  nodes.forEach((n, i) => n.revocations.subscribe(() => heard[i]++))
  const probe: Revocation = { workspaceId: `probe-${Date.now()}`, kind: 'deleted' }
  await poll(
    async () => {
      await h.revocations.publish(probe)
      return heard
    },
    (counts) => counts.every((c) => c > 0),
  )
})
afterEach(() => {
  for (const p of peers) p.destroy()
  peers = []
})
afterAll(async () => {
  for (const n of nodes ?? []) await n.stop()
  await h?.revocations.close()
  await h?.close()
})

/** A stock provider that also notes when each close happened. */
function peer(node: SyncNode, room: string, token: string) {
  const p = connectPeer(node, room, token)
  const closedAt: { code: number; at: number }[] = []
  p.provider.on('connection-close', (event: { code: number } | null) => {
    if (event) closedAt.push({ code: event.code, at: Date.now() })
  })
  peers.push(p)
  return Object.assign(p, { closedAt })
}
type TimedPeer = ReturnType<typeof peer>

/** Waits until every peer was closed with `code`; returns the latest close, in ms after `since`. */
async function allClosedWith(list: TimedPeer[], code: number, since: number): Promise<number> {
  await until(
    () => list.every((p) => p.closedAt.some((c) => c.code === code)),
    (done) => done,
    3000,
  )
  return Math.max(...list.map((p) => p.closedAt.find((c) => c.code === code)!.at - since))
}

describe('membership changes end live sync connections on every node', () => {
  test('a removed member is disconnected with 4403 on both nodes within a second, and cannot come back', async () => {
    const team = await teamWithEveryRole(h)
    const removed = team.byRole.member
    const token = sessionToken(removed)
    const theirs = [
      peer(nodes[0], team.shared, token),
      peer(nodes[1], team.shared, token),
      peer(nodes[0], team.privateOf(removed), token),
      peer(nodes[1], team.privateOf(removed), token),
    ]
    const adminOn = nodes.map((n) => peer(n, team.shared, sessionToken(team.byRole.admin)))
    await Promise.all([...theirs, ...adminOn].map((p) => synced(p)))

    const started = Date.now()
    const res = await team.byRole.owner.post('/api/auth/organization/remove-member', {
      organizationId: team.ws.id,
      memberIdOrEmail: removed.user!.email,
    })
    expect(res.status).toBe(200)
    expect(await allClosedWith(theirs, 4403, started)).toBeLessThan(1000)
    // 4403 is final for the stock client: it does not try again.
    for (const p of theirs) expect(p.provider.shouldConnect).toBe(false)
    for (const n of nodes) {
      const retry = rawClient(n, team.shared, { token, hello: true })
      expect(await retry.closed).toMatchObject({ code: 4403, messagesBeforeClose: 0 })
    }

    // Everyone else keeps their connections, across nodes.
    adminOn[0].doc.getText('text').insert(0, 'still here')
    await until(
      () => textOf(adminOn[1]),
      (t) => t === 'still here',
    )
    expect(adminOn.map((p) => p.closedAt)).toEqual([[], []])
  })

  test('leaving a workspace disconnects the leaver the same way', async () => {
    const team = await teamWithEveryRole(h)
    const leaver = team.byRole.viewer
    const theirs = nodes.map((n) => peer(n, team.shared, sessionToken(leaver)))
    await Promise.all(theirs.map((p) => synced(p)))
    const started = Date.now()
    expect((await leaver.post('/api/auth/organization/leave', { organizationId: team.ws.id })).status).toBe(200)
    expect(await allClosedWith(theirs, 4403, started)).toBeLessThan(1000)
  })

  test('a role change closes with 4000, the stock provider reconnects, and a new viewer’s writes are dropped', async () => {
    const team = await teamWithEveryRole(h)
    const demoted = team.byRole.member
    const { id: memberId } = (await memberRow(h, team.ws.id, demoted.user!.id))!
    const onBoth = nodes.map((n) => peer(n, team.shared, sessionToken(demoted)))
    const admin = peer(nodes[1], team.shared, sessionToken(team.byRole.admin))
    await Promise.all([...onBoth, admin].map((p) => synced(p)))
    onBoth[0].doc.getText('text').insert(0, 'written as a member. ')
    await until(
      () => textOf(admin),
      (t) => t === 'written as a member. ',
    )

    const started = Date.now()
    const res = await team.byRole.owner.post('/api/auth/organization/update-member-role', {
      organizationId: team.ws.id,
      memberId,
      role: 'viewer',
    })
    expect(res.status).toBe(200)
    expect(await allClosedWith(onBoth, 4000, started)).toBeLessThan(1000)
    // Reconnected on its own, and authorized anew.
    await Promise.all(onBoth.map((p) => synced(p)))
    expect(onBoth.map((p) => p.provider.wsconnected)).toEqual([true, true])

    const dropped = nodes.map((n) => n.server.metrics.droppedViewerUpdates)
    onBoth[0].doc.getText('text').insert(0, 'written as a viewer. ')
    await roundTrip(onBoth[0])
    expect(nodes[0].server.metrics.droppedViewerUpdates).toBeGreaterThan(dropped[0])
    admin.doc.getText('notes').insert(0, 'admin after')
    await until(
      () => textOf(onBoth[0], 'notes'),
      (t) => t === 'admin after',
    )
    expect(textOf(admin)).toBe('written as a member. ')
    expect(textOf(onBoth[1])).toBe('written as a member. ')
    expect(textOf({ doc: await storedDoc(h, team.shared) })).toBe('written as a member. ')
  })

  test('a viewer made member reconnects and may write from then on', async () => {
    const team = await teamWithEveryRole(h)
    const promoted = team.byRole.viewer
    const { id: memberId } = (await memberRow(h, team.ws.id, promoted.user!.id))!
    const p = peer(nodes[0], team.shared, sessionToken(promoted))
    const admin = peer(nodes[1], team.shared, sessionToken(team.byRole.admin))
    await Promise.all([synced(p), synced(admin)])
    const rowsBefore = (await logRows(h, team.shared)).length

    const res = await team.byRole.owner.post('/api/auth/organization/update-member-role', {
      organizationId: team.ws.id,
      memberId,
      role: 'member',
    })
    expect(res.status).toBe(200)
    await allClosedWith([p], 4000, Date.now())
    await synced(p)
    p.doc.getText('text').insert(0, 'now a member')
    await until(
      () => textOf(admin),
      (t) => t === 'now a member',
    )
    expect((await logRows(h, team.shared)).length).toBeGreaterThan(rowsBefore)
  })

  test('an ownership transfer reconnects both people, who keep writing with their new roles', async () => {
    const team = await teamWithEveryRole(h)
    const { id: memberId } = (await memberRow(h, team.ws.id, team.byRole.viewer.user!.id))!
    const oldOwner = peer(nodes[0], team.shared, sessionToken(team.byRole.owner))
    const newOwner = peer(nodes[1], team.shared, sessionToken(team.byRole.viewer))
    const bystander = peer(nodes[1], team.shared, sessionToken(team.byRole.member))
    await Promise.all([oldOwner, newOwner, bystander].map((p) => synced(p)))

    const started = Date.now()
    const res = await team.byRole.owner.post(`/api/workspaces/${team.ws.id}/transfer-ownership`, { memberId })
    expect(res.status).toBe(200)
    expect(await allClosedWith([oldOwner, newOwner], 4000, started)).toBeLessThan(1000)
    await Promise.all([synced(oldOwner), synced(newOwner)])
    // The former viewer now writes; the former owner, now an admin, still does.
    newOwner.doc.getText('text').insert(0, 'new owner. ')
    await until(
      () => textOf(bystander),
      (t) => t === 'new owner. ',
    )
    oldOwner.doc.getText('notes').insert(0, 'old owner')
    await until(
      () => textOf(bystander, 'notes'),
      (t) => t === 'old owner',
    )
    expect(bystander.closedAt).toEqual([])
  })

  test('deleting a workspace closes everyone in it, on both nodes, and no one else', async () => {
    const team = await teamWithEveryRole(h)
    const inIt: TimedPeer[] = []
    for (const role of ['owner', 'admin', 'member', 'viewer'] as const) {
      const token = sessionToken(team.byRole[role])
      inIt.push(peer(nodes[0], team.shared, token), peer(nodes[1], team.privateOf(team.byRole[role]), token))
    }
    // The owner's other workspace is not touched.
    const other = await createWorkspace(team.byRole.owner, { keepActive: true })
    const elsewhere = nodes.map((n) => peer(n, `w/${other.id}`, sessionToken(team.byRole.owner)))
    await Promise.all([...inIt, ...elsewhere].map((p) => synced(p)))

    const started = Date.now()
    const res = await team.byRole.owner.post('/api/auth/organization/delete', { organizationId: team.ws.id })
    expect(res.status).toBe(200)
    expect(await allClosedWith(inIt, 4403, started)).toBeLessThan(1000)
    for (const p of inIt) expect(p.provider.shouldConnect).toBe(false)

    elsewhere[0].doc.getText('text').insert(0, 'other workspace')
    await until(
      () => textOf(elsewhere[1]),
      (t) => t === 'other workspace',
    )
    expect(elsewhere.map((p) => p.closedAt)).toEqual([[], []])
    const retry = rawClient(nodes[1], team.shared, { token: sessionToken(team.byRole.owner), hello: true })
    expect(await retry.closed).toMatchObject({ code: 4403, messagesBeforeClose: 0 })
  })
})
