import type * as Y from 'yjs'
import { chatIndexRoot } from './chat-index'

/** Chats listed in, or removed from, an index room's chat index by one transaction. */
export interface ChatIndexChange {
  readonly added: readonly string[]
  readonly removed: readonly string[]
}

/**
 * Calls `listener` with the chat ids each transaction adds to or removes
 * from the index room's chat index, with the transaction's origin: the
 * server deletes a removed chat's room, and records the activity of a chat
 * listed after its room was written (a chat created offline). Returns the
 * function that stops observing.
 */
export function observeChatIndexChanges(
  index: Y.Doc,
  listener: (change: ChatIndexChange, origin: unknown) => void,
): () => void {
  const root = chatIndexRoot(index)
  const handler = (event: Y.YMapEvent<unknown>, transaction: Y.Transaction) => {
    const added: string[] = []
    const removed: string[] = []
    event.changes.keys.forEach((change, key) => {
      if (change.action === 'add') added.push(key)
      else if (change.action === 'delete') removed.push(key)
    })
    if (added.length || removed.length) listener({ added, removed }, transaction.origin)
  }
  root.observe(handler)
  return () => root.unobserve(handler)
}
