import { afterAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { applyStoredUpdates, docFromUpdates } from '../../shared/doc/stored-updates'
import {
  closeYjsWorker,
  diffUpdatesOffThread,
  mergeStoredUpdates,
  mergeUpdatesOffThread,
} from '../../sync-server/yjs-worker'

afterAll(() => closeYjsWorker())

/** Deterministic, so a failure reproduces. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

function content(doc: Y.Doc) {
  return {
    map: doc.getMap('map').toJSON(),
    list: doc.getArray('list').toJSON(),
    text: doc.getText('text').toDelta(),
  }
}

function docFromState(state: Uint8Array) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, state)
  return doc
}

/**
 * A room's log as the server stores it: every local update of three
 * clients that edit maps, arrays and text (deletions included) and sync
 * with one another as they go. Answers the log and one client's final doc.
 */
function editedRoom() {
  const rand = random(7)
  const docs = [1, 2, 3].map((clientID) => {
    const doc = new Y.Doc()
    doc.clientID = clientID
    return doc
  })
  const log: Uint8Array[] = []
  for (const doc of docs) {
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === 'remote') return
      log.push(update)
      for (const other of docs) if (other !== doc) Y.applyUpdate(other, update, 'remote')
    })
  }
  for (let i = 0; i < 300; i++) {
    const doc = docs[Math.floor(rand() * docs.length)]
    const map = doc.getMap<unknown>('map')
    const list = doc.getArray<unknown>('list')
    const text = doc.getText('text')
    const r = rand()
    if (r < 0.2) {
      map.set(`k${Math.floor(rand() * 20)}`, `v${i}`)
    } else if (r < 0.3) {
      map.delete(`k${Math.floor(rand() * 20)}`)
    } else if (r < 0.4) {
      const nested = new Y.Map<unknown>()
      nested.set('n', i)
      map.set(`nested${i % 5}`, nested)
    } else if (r < 0.55) {
      list.insert(Math.floor(rand() * (list.length + 1)), [i, `item ${i}`])
    } else if (r < 0.65 && list.length > 0) {
      list.delete(Math.floor(rand() * list.length), 1)
    } else if (r < 0.85) {
      text.insert(Math.floor(rand() * (text.length + 1)), `word${i} `, rand() < 0.3 ? { bold: true } : undefined)
    } else if (text.length > 0) {
      const at = Math.floor(rand() * text.length)
      text.delete(at, Math.min(3, text.length - at))
    }
  }
  return { log, doc: docs[0] }
}

/** About 2 MB: 5,000 maps of a few string fields in a root map, written 10 to an update. */
function largeRoom() {
  const doc = new Y.Doc()
  const log: Uint8Array[] = []
  doc.on('update', (update: Uint8Array) => log.push(update))
  const root = doc.getMap<Y.Map<string>>('root')
  for (let batch = 0; batch < 500; batch++) {
    doc.transact(() => {
      for (let j = 0; j < 10; j++) {
        const n = batch * 10 + j
        const item = new Y.Map<string>()
        item.set('title', `Item ${n}`)
        item.set('owner', `user-${n % 37}`)
        item.set('body', `Body of item ${n}. `.repeat(20))
        root.set(`item-${n}`, item)
      }
    })
  }
  return { log, doc }
}

describe('mergeStoredUpdates', () => {
  test('merges an edited room into the same document applyStoredUpdates gives', async () => {
    const { log, doc } = editedRoom()
    expect(log.length).toBeGreaterThan(250)

    const { state, skipped } = await mergeStoredUpdates(log)

    expect(skipped).toBe(0)
    const merged = docFromState(state)
    expect(content(merged)).toEqual(content(doc))
    const reference = docFromUpdates(log)
    expect(content(merged)).toEqual(content(reference))
    expect(Y.encodeStateVector(merged)).toEqual(Y.encodeStateVector(reference))
    expect(state).toEqual(Y.encodeStateAsUpdate(reference))
  })

  test('skips and counts updates Yjs cannot apply, keeping the rest', async () => {
    const { log, doc } = editedRoom()
    const other = new Y.Doc()
    other.getText('text').insert(0, 'a stranger wrote this')
    const valid = Y.encodeStateAsUpdate(other)
    const truncated = valid.slice(0, valid.length - 4)
    const garbage = new Uint8Array([1, 2, 3, 4, 5])
    const withBad = [...log.slice(0, 100), garbage, ...log.slice(100, 200), truncated, ...log.slice(200)]

    const { state, skipped } = await mergeStoredUpdates(withBad)

    expect(skipped).toBe(2)
    expect(skipped).toBe(applyStoredUpdates(new Y.Doc(), withBad, null))
    expect(content(docFromState(state))).toEqual(content(doc))
  })

  test('an empty log merges into an empty document', async () => {
    const { state, skipped } = await mergeStoredUpdates([])
    expect(skipped).toBe(0)
    expect(state).toEqual(Y.encodeStateAsUpdate(new Y.Doc()))
  })

  test('merges a large room off the main thread', async () => {
    const { log, doc } = largeRoom()
    const bytes = log.reduce((sum, u) => sum + u.byteLength, 0)
    expect(bytes).toBeGreaterThan(2_000_000)
    const inputs = log.map((u) => u.slice())

    let ticks = 0
    let last = performance.now()
    let longestGap = 0
    const timer = setInterval(() => {
      const now = performance.now()
      longestGap = Math.max(longestGap, now - last)
      last = now
      ticks++
    }, 1)
    const { state, skipped } = await mergeStoredUpdates(log)
    clearInterval(timer)
    longestGap = Math.max(longestGap, performance.now() - last)

    // A merge on the main thread would let no tick through at all.
    expect(ticks).toBeGreaterThanOrEqual(3)
    // Generous: the machine running the tests may be loaded.
    expect(longestGap).toBeLessThan(100)
    expect(skipped).toBe(0)
    expect(docFromState(state).getMap('root').toJSON()).toEqual(doc.getMap('root').toJSON())
    // The inputs were copied, not transferred: the caller still has them intact.
    expect(log).toEqual(inputs)
  })
})

describe('worker lifecycle', () => {
  test('closing the worker rejects a pending request, and the next call starts a new one', async () => {
    const { log, doc } = largeRoom()
    const pending = mergeStoredUpdates(log)
    // Attached now, so the rejection is never unhandled.
    const rejected = expect(pending).rejects.toThrow(/Yjs worker exited/)
    await closeYjsWorker()
    await rejected

    const { state } = await mergeStoredUpdates(log)
    expect(docFromState(state).getMap('root').toJSON()).toEqual(doc.getMap('root').toJSON())
  })
})

describe('mergeUpdatesOffThread', () => {
  test('gives what Y.mergeUpdates gives', async () => {
    const { log } = editedRoom()
    const merged = await mergeUpdatesOffThread(log)
    const expected = Y.mergeUpdates(log)
    expect(merged).toEqual(expected)
    expect(content(docFromState(merged))).toEqual(content(docFromState(expected)))
  })

  test('a single update comes back whole', async () => {
    const { log } = editedRoom()
    const merged = await mergeUpdatesOffThread([log[1]])
    expect(merged).toEqual(log[1])
    expect(merged.byteLength).toBe(merged.buffer.byteLength)
  })

  test('rejects with the message Yjs throws', async () => {
    const bad = [editedRoom().log[0], new Uint8Array([1, 2, 3, 4, 5])]
    const message = (() => {
      try {
        Y.mergeUpdates(bad)
      } catch (err) {
        return (err as Error).message
      }
    })()
    expect(message).toBeTruthy()
    await expect(mergeUpdatesOffThread(bad)).rejects.toThrow(message)
  })
})

describe('diffUpdatesOffThread', () => {
  test('a client holding part of a room, given what of each update it lacks, ends with the whole room', async () => {
    const { log, doc } = editedRoom()
    const snapshot = Y.mergeUpdates(log.slice(0, Math.floor(log.length / 2)))
    const rest = log.slice(Math.floor(log.length / 2))
    const behind = new Y.Doc()
    Y.applyUpdate(behind, Y.mergeUpdates(log.slice(0, Math.floor(log.length / 3))))
    const diffs = await diffUpdatesOffThread([snapshot, ...rest], Y.encodeStateVector(behind))
    expect(diffs).toHaveLength(rest.length + 1)
    // Less than everything: what the client held is left out.
    expect(diffs.reduce((sum, d) => sum + d.byteLength, 0)).toBeLessThan(
      [snapshot, ...rest].reduce((sum, u) => sum + u.byteLength, 0),
    )
    for (const diff of diffs) Y.applyUpdate(behind, diff)
    expect(content(behind)).toEqual(content(doc))
    expect(behind.store.pendingStructs).toBeNull()
  })
})
