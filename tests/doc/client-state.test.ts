import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import { createChat, currentClientState, hasClientState, whenClientState } from '../../shared/doc'

describe('client state', () => {
  test('a server copy holds a client’s edit only once the update has arrived', async () => {
    const client = new Y.Doc()
    const server = new Y.Doc()
    createChat(client, { createdBy: 'u1' })
    const first = currentClientState(client)
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client))
    expect(hasClientState(server, first)).toBe(true)

    const before = Y.encodeStateVector(server)
    createChat(client, { createdBy: 'u1' })
    const second = currentClientState(client)
    expect(second.clock).toBeGreaterThan(first.clock)
    expect(hasClientState(server, second)).toBe(false)

    const waiting = whenClientState(server, second, 2000)
    setTimeout(() => Y.applyUpdate(server, Y.encodeStateAsUpdate(client, before)), 20)
    expect(await waiting).toBe(true)
  })

  test('gives up after the timeout when the edit never arrives', async () => {
    const client = new Y.Doc()
    createChat(client, { createdBy: 'u1' })
    expect(await whenClientState(new Y.Doc(), currentClientState(client), 50)).toBe(false)
  })
})
