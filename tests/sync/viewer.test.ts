import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, type Harness } from '../helpers/harness'
import { logRows, roundTrip, storedDoc, synced, teamWithEveryRole, textOf, until } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

let h: Harness
let node: SyncNode
let peers: Peer[] = []
const extraNodes: SyncNode[] = []

beforeAll(async () => {
  h = await createHarness()
  node = await startSyncNode(h)
})
afterEach(() => {
  for (const p of peers) p.destroy()
  peers = []
})
afterAll(async () => {
  for (const n of extraNodes) await n.stop()
  await node?.stop()
  await h?.close()
})

const peer = (n: SyncNode, room: string, token: string) => {
  const p = connectPeer(n, room, token)
  peers.push(p)
  return p
}

describe('a viewer reads but does not write', () => {
  test('a viewer’s edits reach no other client and no row in the database, and each is counted as dropped', async () => {
    const team = await teamWithEveryRole(h)
    const member = peer(node, team.shared, sessionToken(team.byRole.member))
    const admin = peer(node, team.shared, sessionToken(team.byRole.admin))
    const viewer = peer(node, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(member), synced(admin), synced(viewer)])
    await roundTrip(viewer)
    const droppedBefore = node.server.metrics.droppedViewerUpdates
    const rowsBefore = (await logRows(h, team.shared)).length

    // Three separate transactions: three update messages.
    viewer.doc.getText('text').insert(0, 'VIEWER-1 ')
    viewer.doc.getMap('chats').set('viewer-chat', 'VIEWER-2')
    viewer.doc.getText('text').insert(0, 'VIEWER-3 ')
    await roundTrip(viewer)
    expect(node.server.metrics.droppedViewerUpdates - droppedBefore).toBe(3)
    expect((await logRows(h, team.shared)).length).toBe(rowsBefore)

    // Written after the viewer's edits were handled: whatever the viewer's
    // edits caused would reach the member before this does.
    admin.doc.getText('text').insert(0, 'from the admin')
    await until(
      () => textOf(member),
      (t) => t.includes('from the admin'),
    )
    expect(textOf(member)).toBe('from the admin')
    expect(member.doc.getMap('chats').toJSON()).toEqual({})

    // The viewer still receives others' edits (its own stay local only).
    await until(
      () => textOf(viewer),
      (t) => t.includes('from the admin'),
    )

    const stored = await storedDoc(h, team.shared)
    expect(textOf({ doc: stored })).toBe('from the admin')
    expect(stored.getMap('chats').toJSON()).toEqual({})
    // Not even as bytes of an update that merging would hide.
    const logBytes = Buffer.concat((await logRows(h, team.shared)).map((r) => Buffer.from(r.update)))
    expect(logBytes.includes('from the admin')).toBe(true)
    expect(logBytes.includes('VIEWER')).toBe(false)

    // A fresh client of a node that loads the room from the database.
    const fresh = await startSyncNode(h)
    extraNodes.push(fresh)
    const later = peer(fresh, team.shared, sessionToken(team.byRole.member))
    const laterViewer = peer(fresh, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(later), synced(laterViewer)])
    expect(textOf(later)).toBe('from the admin')
    expect(textOf(laterViewer)).toBe('from the admin')
    expect(later.doc.getMap('chats').toJSON()).toEqual({})
  })

  test('a viewer that edits offline and reconnects pushes nothing into the room', async () => {
    const team = await teamWithEveryRole(h)
    const member = peer(node, team.shared, sessionToken(team.byRole.member))
    const viewer = peer(node, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(member), synced(viewer)])
    viewer.provider.disconnect()
    viewer.doc.getText('text').insert(0, 'offline viewer edit')
    const droppedBefore = node.server.metrics.droppedViewerUpdates
    // On reconnecting, the provider answers the server's sync step 1 with everything it has.
    viewer.provider.connect()
    await synced(viewer)
    await roundTrip(viewer)
    expect(node.server.metrics.droppedViewerUpdates).toBeGreaterThan(droppedBefore)
    member.doc.getText('text').insert(0, 'member edit')
    await until(
      () => textOf(viewer),
      (t) => t.includes('member edit'),
    )
    await roundTrip(member)
    expect(textOf(member)).toBe('member edit')
    expect(textOf({ doc: await storedDoc(h, team.shared) })).toBe('member edit')
  })

  test('a viewer still receives the others’ awareness, and its own presence is shown to them', async () => {
    const team = await teamWithEveryRole(h)
    const member = peer(node, team.shared, sessionToken(team.byRole.member))
    const viewer = peer(node, team.shared, sessionToken(team.byRole.viewer))
    await Promise.all([synced(member), synced(viewer)])
    const memberId = member.doc.clientID
    member.provider.awareness.setLocalStateField('user', { name: 'Member', cursor: 1 })
    await until(
      () => viewer.provider.awareness.getStates().get(memberId),
      (s) => (s as { user?: { cursor?: number } } | undefined)?.user?.cursor === 1,
    )
    member.provider.awareness.setLocalStateField('user', { name: 'Member', cursor: 2 })
    await until(
      () => viewer.provider.awareness.getStates().get(memberId),
      (s) => (s as { user?: { cursor?: number } } | undefined)?.user?.cursor === 2,
    )
    viewer.provider.awareness.setLocalStateField('user', { name: 'Viewer' })
    await until(
      () => member.provider.awareness.getStates().get(viewer.doc.clientID),
      (s) => (s as { user?: { name?: string } } | undefined)?.user?.name === 'Viewer',
    )
    // The member leaving is seen too.
    member.provider.disconnect()
    await until(
      () => viewer.provider.awareness.getStates().has(memberId),
      (has) => !has,
    )
  })
})
