import * as Y from 'yjs'
const gc = (globalThis as any).gc
const N = 4750
const pre = 'Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim'
function build(kind: string) {
  const doc = new Y.Doc()
  const root = doc.getMap('chatIndex')
  doc.transact(() => {
    for (let i = 0; i < N; i++) {
      const id = 'chat' + i.toString(36).padStart(20, 'x')
      const info = { createdBy: 'user_abcdefghijklmnop', createdAt: 1700000000000 + i }
      const activity = { messageCount: 20, updatedAt: 1700000000000 + i, lastAuthorId: 'model', lastRole: 'assistant', preview: pre + i }
      const title = 'A chat about the budget review number ' + i
      if (kind === 'map') {
        const m = new Y.Map()
        root.set(id, m)
        m.set('info', info); m.set('title', title); m.set('activity', activity)
      } else if (kind === 'base+title') {
        root.set(id, { ...info, ...activity }); doc.getMap('chatEdits').set(id + ':title', title)
      } else if (kind === 'keys') {
        root.set(id + '/info', info); root.set(id + '/title', title); root.set(id + '/activity', activity)
      } else {
        root.set(id, { ...info, title, ...activity })
      }
    }
  })
  return Y.encodeStateAsUpdate(doc)
}
for (const kind of ['map', 'keys', 'base+title', 'flat']) {
  const u = build(kind)
  gc(); gc()
  const before = process.memoryUsage().heapUsed
  const doc = new Y.Doc()
  Y.applyUpdate(doc, u)
  gc(); gc()
  const after = process.memoryUsage().heapUsed
  console.log(kind, 'bytes', u.length, 'heap MB', ((after - before) / 1e6).toFixed(2))
  ;(globalThis as any).keep = doc
}
