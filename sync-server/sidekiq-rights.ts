import type * as Y from 'yjs'
import {
  getSidekiq,
  observeSidekiqChanges,
  removeSidekiqs,
  restoreSidekiq,
  serverOrigin,
  type Sidekiq,
} from '../shared/doc'
import type { WorkspaceRole } from '../shared/roles'
import { sidekiqAfterChange } from '../shared/sidekiq-policy'

/**
 * The person behind a client's update, with the role their connection was
 * authorized with. A role change closes the connection (see the revocation
 * bus), so that role is the current one.
 */
export interface UpdateAuthor {
  readonly userId: string
  readonly role: WorkspaceRole
}

/** A client's change to one sidekiq that its author may not make, and what the sidekiq goes back to (null: out). */
export interface RefusedSidekiqChange {
  readonly id: string
  readonly restore: Sidekiq | null
}

const SIDEKIQ_RIGHTS_ORIGIN = serverOrigin('sidekiq-rights')
const NONE: readonly RefusedSidekiqChange[] = Object.freeze([])

/**
 * Sidekiq edit rights held by the sync server for one room (decision 013).
 * A CRDT update cannot be refused (a dropped one strands its author's later
 * edits), so a client's update is applied whole; this then finds the
 * sidekiqs it touched that its author may not change as they did
 * (`sidekiqAfterChange`), and the room puts them back with a server change.
 *
 * "Before" is what each sidekiq was after the last change that stood, kept
 * here as plain values: by the time an update is seen, Yjs has already
 * applied it (and, for a deleted sidekiq, emptied its map). Every change to
 * sidekiqs from any origin moves that forward: loading the room, server
 * changes (undoes, plan limits, the AI writer) and other nodes' updates
 * (each node holds the rule for its own connections) stand as they are.
 * Only updates applied through `applyAs` are judged.
 */
export class SidekiqRights {
  private readonly standing = new Map<string, Sidekiq>()
  private author: UpdateAuthor | null = null
  private refused: RefusedSidekiqChange[] = []

  constructor(private readonly doc: Y.Doc) {
    observeSidekiqChanges(doc, (ids) => this.onChange(ids))
  }

  /** Applies a client's update (`apply`, synchronous) as written by `author`; its refused changes wait in `takeRefused`. */
  applyAs(author: UpdateAuthor, apply: () => void): void {
    this.author = author
    try {
      apply()
    } finally {
      this.author = null
    }
  }

  /** The refused changes since the last call, to undo with `undoSidekiqChanges`. */
  takeRefused(): readonly RefusedSidekiqChange[] {
    if (!this.refused.length) return NONE
    const refused = this.refused
    this.refused = []
    return refused
  }

  private onChange(ids: ReadonlySet<string>) {
    for (const id of ids) {
      const after = getSidekiq(this.doc, id)
      const permitted = this.author
        ? sidekiqAfterChange(this.author.role, this.author.userId, this.standing.get(id) ?? null, after)
        : after
      if (permitted !== after) {
        // "Before" stays as it was: the undo brings the sidekiq back to it.
        this.refused.push({ id, restore: permitted })
      } else if (after) {
        this.standing.set(id, after)
      } else {
        this.standing.delete(id)
      }
    }
  }
}

/** Puts back what refused changes took away, in one server change. */
export function undoSidekiqChanges(doc: Y.Doc, refused: readonly RefusedSidekiqChange[]): void {
  doc.transact(() => {
    for (const { id, restore } of refused) {
      if (restore) restoreSidekiq(doc, restore, SIDEKIQ_RIGHTS_ORIGIN)
      else removeSidekiqs(doc, [id], SIDEKIQ_RIGHTS_ORIGIN)
    }
  }, SIDEKIQ_RIGHTS_ORIGIN)
}
