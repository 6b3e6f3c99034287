import * as Y from 'yjs'
import type { DocOrigin } from './origin'
import { SIDEKIQS_KEY, type Sidekiq } from './sidekiqs'
import { replaceText } from './y-text'

/**
 * Calls `onChange` after every transaction that changed sidekiqs, with the
 * ids of those it touched (a field, the instructions text, the starters, a
 * sidekiq added, replaced or deleted) and the transaction's origin.
 * Transactions that touch no sidekiq never reach it: Yjs calls deep
 * observers only for types a transaction changed, so a room busy with chats
 * and streaming answers pays nothing for it. Returns the unsubscribe.
 */
export function observeSidekiqChanges(
  doc: Y.Doc,
  onChange: (ids: ReadonlySet<string>, origin: unknown) => void,
): () => void {
  const root = doc.getMap<unknown>(SIDEKIQS_KEY)
  const observer = (events: Y.YEvent<Y.AbstractType<unknown>>[], transaction: Y.Transaction) => {
    const ids = new Set<string>()
    for (const event of events) {
      if (event.target === root) {
        for (const key of (event as Y.YMapEvent<unknown>).keysChanged) ids.add(key as string)
      } else {
        // A change inside a sidekiq: the first step of its path is the sidekiq's key.
        const id = event.path[0]
        if (typeof id === 'string') ids.add(id)
      }
    }
    if (ids.size) onChange(ids, transaction.origin)
  }
  root.observeDeep(observer)
  return () => root.unobserveDeep(observer)
}

/** Stored plain values compare as JSON: the avatar is an object, the rest primitives. */
function sameValue(stored: unknown, value: unknown): boolean {
  return stored === value || JSON.stringify(stored) === JSON.stringify(value)
}

/**
 * Makes the stored sidekiq read as `sidekiq` again, in one transaction:
 * under its id a new one when it is absent (same id and content) or not a
 * map; otherwise only the fields that differ are written, so editors bound
 * to its live instructions text stay bound, and that text changes only in
 * the span that differs. Keys a reader does not know are left alone.
 */
export function restoreSidekiq(doc: Y.Doc, sidekiq: Sidekiq, origin: DocOrigin): void {
  doc.transact(() => {
    const root = doc.getMap<unknown>(SIDEKIQS_KEY)
    let map = root.get(sidekiq.id)
    if (!(map instanceof Y.Map)) {
      map = new Y.Map<unknown>()
      root.set(sidekiq.id, map)
    }
    const stored = map as Y.Map<unknown>
    const { instructions, conversationStarters, ...plain } = sidekiq
    for (const [key, value] of Object.entries(plain)) if (!sameValue(stored.get(key), value)) stored.set(key, value)
    const text = stored.get('instructions')
    if (text instanceof Y.Text) replaceText(text, instructions)
    else stored.set('instructions', new Y.Text(instructions))
    const starters = stored.get('conversationStarters')
    if (!(starters instanceof Y.Array) || !sameValue(starters.toArray(), conversationStarters))
      stored.set('conversationStarters', Y.Array.from([...conversationStarters]))
  }, origin)
}
