import { afterAll, afterEach, beforeAll } from 'vitest'
import { createHarness, type Harness, type TestClient } from '../helpers/harness'
import { synced } from './sync-clients'
import { connectPeer, sessionToken, startSyncNode, type Peer, type SyncNode } from './sync-harness'

/** A test file's harness with one real sync node, also serving the API's room writes. */
export interface SyncSuite {
  readonly h: Harness
  readonly node: SyncNode
  /** Connects `client` to `room` and waits for the first sync; the peer is destroyed after the test. */
  join(room: string, client: TestClient): Promise<Peer>
}

/**
 * The usual setup of a test file over the sync server: a harness (real
 * database and API), a sync node the API writes rooms through, and peers
 * that do not outlive their test.
 */
export function useSyncSuite(): SyncSuite {
  let h: Harness | undefined
  let node: SyncNode | undefined
  let peers: Peer[] = []
  beforeAll(async () => {
    h = await createHarness()
    node = await startSyncNode(h)
    h.context.sync = node.server
  })
  afterEach(() => {
    for (const p of peers) p.destroy()
    peers = []
  })
  afterAll(async () => {
    await node?.stop()
    await h?.close()
  })
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('The sync suite is used before its beforeAll ran')
    return value
  }
  return {
    get h() {
      return ready(h)
    },
    get node() {
      return ready(node)
    },
    async join(room, client) {
      const peer = connectPeer(ready(node), room, sessionToken(client))
      peers.push(peer)
      await synced(peer)
      return peer
    },
  }
}
