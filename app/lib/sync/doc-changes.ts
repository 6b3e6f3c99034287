import type * as Y from 'yjs'

/**
 * Calls `listener` after each transaction that changed the document: the
 * same transactions Yjs emits 'update' for, without encoding them. Yjs
 * encodes a transaction's update whenever anyone listens to 'update', and
 * for the transaction that loads a room from the device that is the whole
 * room (hundreds of milliseconds for a big workspace), which readers that
 * only need to know "something changed" should not pay for.
 */
export function onDocChanged(doc: Y.Doc, listener: () => void): () => void {
  const afterTransaction = (transaction: Y.Transaction) => {
    if (changedSomething(transaction)) listener()
  }
  doc.on('afterTransaction', afterTransaction)
  return () => doc.off('afterTransaction', afterTransaction)
}

/** Yjs's own test for emitting 'update': something was deleted, or some client's clock moved. */
function changedSomething(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true
  for (const [client, clock] of transaction.afterState) {
    if (clock !== (transaction.beforeState.get(client) ?? 0)) return true
  }
  return false
}
