import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { isWellFormedUpdate, splitUpdate, splitUpdateAcrossTurns } from '../../sync-server/update-pieces'

/** A small deterministic random source, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/** Several peers editing every kind of content at once, syncing now and then: one state with references across clients. */
function busyDocument(seed: number, rounds = 300): Y.Doc {
  const next = random(seed)
  const peers = Array.from({ length: 4 }, (_, i) => {
    const doc = new Y.Doc()
    doc.clientID = 1000 + i * 7 + seed
    return doc
  })
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]
  for (let round = 0; round < rounds; round++) {
    const doc = pick(peers)
    const op = Math.floor(next() * 10)
    const chats = doc.getMap<Y.Map<unknown>>('chats')
    const list = doc.getArray<unknown>('list')
    const text = doc.getText('text')
    if (op === 0) {
      const chat = new Y.Map<unknown>()
      chats.set(`c${round}`, chat)
      chat.set('title', `chat ${round} ✨ 𝄞`)
      chat.set('info', { createdAt: round, by: doc.clientID, tags: ['a', 'b'], nested: { n: null, t: true } })
    } else if (op === 1 && chats.size) {
      const chat = pick([...chats.values()])
      chat.set('activity', { count: round, preview: 'p'.repeat(Math.floor(next() * 200)) })
    } else if (op === 2 && chats.size) {
      chats.delete(pick([...chats.keys()]))
    } else if (op === 3) {
      list.insert(Math.floor(next() * (list.length + 1)), [round, `item ${round}`, new Uint8Array([round % 256, 1])])
    } else if (op === 4 && list.length) {
      list.delete(Math.floor(next() * list.length), 1)
    } else if (op === 5) {
      text.insert(Math.floor(next() * (text.length + 1)), `words ${round} 😀 `, next() < 0.3 ? { bold: true } : {})
    } else if (op === 6 && text.length > 4) {
      const at = Math.floor(next() * (text.length - 3))
      if (next() < 0.5) text.delete(at, 3)
      else text.format(at, 3, { italic: true })
    } else if (op === 7) {
      const messages = new Y.Array<Y.Map<unknown>>()
      list.push([messages])
      const message = new Y.Map<unknown>()
      messages.push([message])
      message.set('text', new Y.Text(`message ${round}`))
    } else if (op === 8) {
      const xml = doc.getXmlFragment('xml')
      const element = new Y.XmlElement('p')
      element.setAttribute('id', `x${round}`)
      element.insert(0, [new Y.XmlText(`xml ${round}`)])
      xml.insert(0, [element])
    } else {
      // Sync two peers both ways: what one wrote is now referred to by the other's next edits.
      const [a, b] = [pick(peers), pick(peers)]
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)))
    }
  }
  for (const a of peers) for (const b of peers) Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)))
  return peers[0]
}

function applyPieces(pieces: Uint8Array[], afterEach?: (doc: Y.Doc) => void): Y.Doc {
  const doc = new Y.Doc()
  for (const piece of pieces) {
    Y.applyUpdate(doc, piece)
    afterEach?.(doc)
  }
  return doc
}

const contents = (doc: Y.Doc) => ({
  chats: doc.getMap('chats').toJSON(),
  list: doc.getArray('list').toJSON(),
  text: doc.getText('text').toDelta(),
  xml: doc.getXmlFragment('xml').toString(),
})

describe('splitting an update into pieces', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    test(`seed ${seed}: the pieces, applied in order, give the same document, and nothing is ever pending`, () => {
      const original = busyDocument(seed)
      const update = Y.encodeStateAsUpdate(original)
      const pieces = splitUpdate(update, 300)
      expect(pieces.length).toBeGreaterThan(5)
      const rebuilt = applyPieces(pieces, (doc) => {
        // Each piece's references were in it or before it.
        expect(doc.store.pendingStructs).toBeNull()
      })
      expect(rebuilt.store.pendingDs).toBeNull()
      expect(contents(rebuilt)).toEqual(contents(original))
      expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(original))
      // Same items and the same deletions (the bytes may differ: Yjs merges neighbouring structs as they arrive).
      expect(Y.equalSnapshots(Y.snapshot(rebuilt), Y.snapshot(original))).toBe(true)
    })
  }

  test('pieces stay near the size asked for; a single larger struct is a piece of its own', () => {
    const doc = new Y.Doc()
    const map = doc.getMap<string>('m')
    for (let i = 0; i < 400; i++) map.set(`k${i}`, 'v'.repeat(100))
    map.set('big', 'b'.repeat(5000))
    const update = Y.encodeStateAsUpdate(doc)
    const pieces = splitUpdate(update, 1024)
    // A piece closes once it reaches the size: it is over by one struct at most.
    for (const piece of pieces) expect(piece.byteLength).toBeLessThan(1024 + 5100)
    expect(pieces.filter((p) => p.byteLength > 5000)).toHaveLength(1)
    expect(applyPieces(pieces).getMap('m').toJSON()).toEqual(map.toJSON())
  })

  test('an update no larger than the piece size is returned as it is', () => {
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'hello')
    const update = Y.encodeStateAsUpdate(doc)
    expect(splitUpdate(update, 1024)).toEqual([update])
  })

  test('deletions are applied with the last piece, after everything they delete', () => {
    // Not garbage-collected: the deleted items stay, and the delete set refers to them.
    const doc = new Y.Doc({ gc: false })
    const array = doc.getArray<string>('a')
    for (let i = 0; i < 200; i++) array.push([`item ${i} `.repeat(5)])
    array.delete(10, 150)
    const pieces = splitUpdate(Y.encodeStateAsUpdate(doc), 256)
    expect(pieces.length).toBeGreaterThan(3)
    const rebuilt = new Y.Doc({ gc: false })
    for (const piece of pieces) Y.applyUpdate(rebuilt, piece)
    expect(rebuilt.getArray('a').toJSON()).toEqual(array.toJSON())
    expect(rebuilt.getArray('a').length).toBe(50)
  })

  test('an update that merges several (with gaps between clocks) is cut and applies the same', () => {
    const doc = new Y.Doc()
    const updates: Uint8Array[] = []
    doc.on('update', (u: Uint8Array) => updates.push(u))
    const map = doc.getMap<string>('m')
    for (let i = 0; i < 300; i++) map.set(`k${i % 50}`, `value ${i} `.repeat(4))
    // Every other update left out: the merge holds Skip structs for the gaps.
    const merged = Y.mergeUpdates(updates.filter((_, i) => i % 2 === 0))
    const whole = new Y.Doc()
    Y.applyUpdate(whole, merged)
    const pieces = splitUpdate(merged, 400)
    expect(pieces.length).toBeGreaterThan(3)
    const rebuilt = applyPieces(pieces)
    expect(rebuilt.getMap('m').toJSON()).toEqual(whole.getMap('m').toJSON())
    expect(Y.encodeStateVector(rebuilt)).toEqual(Y.encodeStateVector(whole))
  })

  test('bytes that are not an update are refused with an error, not a loop', () => {
    expect(() => splitUpdate(new Uint8Array(5000).fill(200), 100)).toThrow()
    const doc = new Y.Doc()
    doc.getText('t').insert(0, 'x'.repeat(3000))
    const update = Y.encodeStateAsUpdate(doc)
    expect(() => splitUpdate(update.subarray(0, 2000), 100)).toThrow()
  })

  test('an update reads as well formed; cut short, padded or random bytes do not', () => {
    const doc = busyDocument(9, 100)
    const update = Y.encodeStateAsUpdate(doc)
    expect(isWellFormedUpdate(update)).toBe(true)
    for (const piece of splitUpdate(update, 200)) expect(isWellFormedUpdate(piece)).toBe(true)
    expect(isWellFormedUpdate(update.subarray(0, update.length - 3))).toBe(false)
    expect(isWellFormedUpdate(new Uint8Array([...update, 0]))).toBe(false)
    expect(isWellFormedUpdate(new Uint8Array([1, 2, 3, 4, 5, 6, 7]))).toBe(false)
  })

  test('a room written by thousands of clients, a few structs each, is read and cut in steps', async () => {
    // An index room: each chat entry written by the session that created it, so one client per chat.
    const writers = Array.from({ length: 3000 }, (_, i) => {
      const doc = new Y.Doc()
      const chat = new Y.Map<unknown>()
      doc.getMap<Y.Map<unknown>>('chats').set(`chat-${i}`, chat)
      chat.set('title', `Chat ${i}`)
      chat.set('updatedAt', i)
      return Y.encodeStateAsUpdate(doc)
    })
    const update = Y.mergeUpdates(writers)
    let pauses = 0
    const pieces = await splitUpdateAcrossTurns(update, async () => pauses++, { stepMs: 0, pieceBytes: 4096 })
    // 9,000 structs (the chat's map, its title and its time) in steps of 500: the reading paused between them.
    expect(pauses).toBeGreaterThanOrEqual(17)

    // Made as they are taken: the first piece is there before the last client is planned.
    const iterator = pieces[Symbol.iterator]()
    let first = iterator.next()
    let stepsBeforeFirst = 0
    while (!first.done && first.value === null) {
      stepsBeforeFirst++
      first = iterator.next()
    }
    expect(first.value).toBeInstanceOf(Uint8Array)
    expect(stepsBeforeFirst).toBeLessThan(3000)
    const rest: Uint8Array[] = []
    for (let step = iterator.next(); !step.done; step = iterator.next()) if (step.value) rest.push(step.value)
    const all = [first.value as Uint8Array, ...rest]
    expect(all).toEqual(splitUpdate(update, 4096))
    expect(all.length).toBeGreaterThan(10)

    const whole = new Y.Doc()
    Y.applyUpdate(whole, update)
    const cut = new Y.Doc()
    for (const piece of all) Y.applyUpdate(cut, piece)
    expect(cut.getMap('chats').toJSON()).toEqual(whole.getMap('chats').toJSON())
    expect(cut.getMap('chats').size).toBe(3000)
  })
})
