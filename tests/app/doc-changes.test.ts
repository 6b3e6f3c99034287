import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { onDocChanged } from '../../app/lib/sync/doc-changes'

/** Counts what 'update' and onDocChanged each see for the same transactions. */
function watch(doc: Y.Doc) {
  const seen = { updates: 0, changes: 0 }
  doc.on('update', () => seen.updates++)
  const stop = onDocChanged(doc, () => seen.changes++)
  return { seen, stop }
}

describe('onDocChanged', () => {
  it('reports the transactions Yjs emits an update for, and only those', () => {
    const doc = new Y.Doc()
    const { seen } = watch(doc)
    doc.getMap('m').set('a', 1)
    expect(seen).toEqual({ updates: 1, changes: 1 })
    doc.transact(() => {}) // nothing written
    doc.getMap('m').get('a') // a read
    expect(seen).toEqual({ updates: 1, changes: 1 })
    doc.getMap('m').delete('a') // a deletion alone moves no clock
    expect(seen).toEqual({ updates: 2, changes: 2 })
  })

  it('reports an update from another peer, and not the same update applied twice', () => {
    const other = new Y.Doc()
    other.getText('t').insert(0, 'hello')
    const update = Y.encodeStateAsUpdate(other)
    const doc = new Y.Doc()
    const { seen } = watch(doc)
    Y.applyUpdate(doc, update)
    Y.applyUpdate(doc, update)
    expect(seen).toEqual({ updates: 1, changes: 1 })
  })

  it('stops reporting once stopped', () => {
    const doc = new Y.Doc()
    const { seen, stop } = watch(doc)
    stop()
    doc.getArray('a').push([1])
    expect(seen).toEqual({ updates: 1, changes: 0 })
  })
})
