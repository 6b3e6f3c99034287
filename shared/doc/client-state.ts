import * as Y from 'yjs'
import { z } from 'zod'

/**
 * How far one client's own edits of a doc go: its client id and the clock
 * after its latest edit. A request sent over HTTP after an edit carries it,
 * so the server can tell whether that edit (which travels over the
 * websocket, and may arrive later) is in its copy yet.
 */
export const clientState = z.strictObject({
  clientId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  clock: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
})

export type ClientState = z.output<typeof clientState>

/** This replica's own position in the doc, right after its latest edit. */
export function currentClientState(doc: Y.Doc): ClientState {
  return { clientId: doc.clientID, clock: Y.getState(doc.store, doc.clientID) }
}

/** Whether `doc` holds every edit the client had made up to `state`. */
export function hasClientState(doc: Y.Doc, state: ClientState): boolean {
  return Y.getState(doc.store, state.clientId) >= state.clock
}

/**
 * Resolves true once `doc` holds the client's edits up to `state`, false
 * after `timeoutMs` without them.
 */
export function whenClientState(doc: Y.Doc, state: ClientState, timeoutMs: number): Promise<boolean> {
  if (hasClientState(doc, state)) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = (seen: boolean) => {
      clearTimeout(timer)
      doc.off('update', check)
      resolve(seen)
    }
    const check = () => {
      if (hasClientState(doc, state)) done(true)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    doc.on('update', check)
  })
}
