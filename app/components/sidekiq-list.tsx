import { Link, useNavigate } from '@tanstack/react-router'
import { useState } from 'react'
import { can } from '../../shared/capabilities'
import {
  createChat,
  deleteSidekiq,
  duplicateSidekiq,
  listSidekiqs,
  updateSidekiq,
  type Sidekiq,
} from '../../shared/doc'
import { AppError } from '../../shared/errors'
import type { WorkspaceRole } from '../../shared/roles'
import { canCreateSidekiq, canEditSidekiq } from '../../shared/sidekiq-policy'
import { useDocValue } from '../lib/sync/use-doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { SidekiqAvatar } from './sidekiq-avatar'
import { Button, Notice } from './ui'

const NO_SIDEKIQS: Sidekiq[] = []

const LINK_BUTTON =
  'inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium transition focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500'

export interface SidekiqListProps {
  slug: string
  userId: string
  role: WorkspaceRole
  /** The plan's sidekiq limit (`null`: unlimited). The sync server takes out sidekiqs beyond it, so copying stops there. */
  limit?: number | null
}

/**
 * The workspace's sidekiqs, read live from the shared room: favourites
 * first, then by name. Each role sees only the controls it may use.
 */
export function SidekiqList({ slug, userId, role, limit = null }: SidekiqListProps) {
  const replica = useWorkspaceReplica()
  const navigate = useNavigate()
  const sidekiqs = useDocValue(replica?.shared.doc ?? null, listSidekiqs, NO_SIDEKIQS)
  const [error, setError] = useState<string | null>(null)
  const mayCreate = canCreateSidekiq(role)
  const mayWrite = can(role, 'content:write')
  const atLimit = limit !== null && sidekiqs.length >= limit

  // Local writes: an AppError here means the doc changed under us (a colleague deleted it), which the list then shows.
  const act = (write: () => void) => {
    setError(null)
    try {
      write()
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      setError(e.message)
    }
  }

  if (!replica) {
    return (
      <p className="text-sm text-zinc-500" role="status">
        Opening the workspace…
      </p>
    )
  }
  const doc = replica.shared.doc
  const startChat = (sidekiq: Sidekiq) =>
    act(() => {
      const chat = createChat(doc, { createdBy: userId, sidekiqId: sidekiq.id, sidekiqName: sidekiq.name })
      void navigate({ to: '/w/$workspaceSlug/c/$chatId', params: { workspaceSlug: slug, chatId: chat.id } })
    })
  const remove = (sidekiq: Sidekiq) => {
    if (!window.confirm(`Delete the sidekiq “${sidekiq.name}”? Chats with it keep their messages.`)) return
    act(() => deleteSidekiq(doc, sidekiq.id))
  }

  if (sidekiqs.length === 0) {
    return (
      <div
        className="rounded-xl border border-dashed border-zinc-300 px-6 py-12 text-center"
        data-testid="sidekiqs-empty"
      >
        <p className="text-3xl" aria-hidden="true">
          🤖
        </p>
        <h2 className="mt-2 text-base font-semibold text-zinc-900">No sidekiqs yet</h2>
        <p className="mt-1 text-sm text-zinc-500">
          A sidekiq is an assistant with its own instructions, model and conversation starters, shared with the
          workspace.
        </p>
        {mayCreate ? (
          <Link
            to="/w/$workspaceSlug/sidekiqs/new"
            params={{ workspaceSlug: slug }}
            className={`${LINK_BUTTON} mt-4 bg-indigo-600 text-white hover:bg-indigo-500`}
          >
            Create a sidekiq
          </Link>
        ) : null}
      </div>
    )
  }

  return (
    <div className="space-y-3">
      {error ? <Notice tone="error">{error}</Notice> : null}
      {atLimit && mayCreate ? <LimitNotice slug={slug} limit={limit} /> : null}
      <ul
        className="divide-y divide-zinc-200 rounded-xl bg-white shadow-sm ring-1 ring-zinc-200"
        data-testid="sidekiqs"
      >
        {sidekiqs.map((s) => {
          const mayEdit = canEditSidekiq(role, s, userId)
          return (
            <li
              key={s.id}
              className="flex flex-wrap items-center gap-3 px-4 py-3"
              data-testid="sidekiq"
              data-name={s.name}
            >
              <SidekiqAvatar avatar={s.avatar} />
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium text-zinc-900" data-testid="sidekiq-name">
                  {s.name}
                </p>
                {s.description ? <p className="truncate text-sm text-zinc-500">{s.description}</p> : null}
              </div>
              <button
                type="button"
                disabled={!mayWrite}
                aria-pressed={s.favorite}
                aria-label={s.favorite ? `Unfavourite ${s.name}` : `Favourite ${s.name}`}
                title={s.favorite ? 'Favourite' : mayWrite ? 'Add to favourites' : 'Not a favourite'}
                onClick={() => act(() => updateSidekiq(doc, s.id, { favorite: !s.favorite }))}
                className={`rounded-md px-2 py-1 text-lg leading-none ${s.favorite ? 'text-amber-500' : 'text-zinc-300'} ${mayWrite ? 'hover:bg-zinc-100' : 'cursor-default'}`}
              >
                {s.favorite ? '★' : '☆'}
              </button>
              <div className="flex flex-wrap gap-1.5">
                {mayWrite ? (
                  <Button variant="secondary" onClick={() => startChat(s)}>
                    Start chat
                  </Button>
                ) : null}
                {mayEdit ? (
                  <Link
                    to="/w/$workspaceSlug/sidekiqs/$sidekiqId"
                    params={{ workspaceSlug: slug, sidekiqId: s.id }}
                    className={`${LINK_BUTTON} text-zinc-700 hover:bg-zinc-100`}
                  >
                    Edit
                  </Link>
                ) : (
                  <Link
                    to="/w/$workspaceSlug/sidekiqs/$sidekiqId"
                    params={{ workspaceSlug: slug, sidekiqId: s.id }}
                    className={`${LINK_BUTTON} text-zinc-700 hover:bg-zinc-100`}
                  >
                    View
                  </Link>
                )}
                {mayCreate ? (
                  <Button
                    variant="ghost"
                    disabled={atLimit}
                    onClick={() => act(() => duplicateSidekiq(doc, s.id, { createdBy: userId }))}
                  >
                    Duplicate
                  </Button>
                ) : null}
                {mayEdit ? (
                  <Button variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => remove(s)}>
                    Delete
                  </Button>
                ) : null}
              </div>
            </li>
          )
        })}
      </ul>
    </div>
  )
}

/** Said where a sidekiq would be added past the plan's limit. */
export function LimitNotice({ slug, limit }: { slug: string; limit: number }) {
  return (
    <Notice>
      This workspace’s plan holds {limit} sidekiqs. Delete one, or{' '}
      <Link to="/w/$workspaceSlug/billing" params={{ workspaceSlug: slug }} className="font-medium underline">
        upgrade the plan
      </Link>{' '}
      to add more.
    </Notice>
  )
}
