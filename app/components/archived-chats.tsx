import { Link } from '@tanstack/react-router'
import { useId, useState } from 'react'
import type { ChatSummary } from '../../shared/doc'
import { shownTitle, type ChatRoom } from './chat-list-item'

export interface ArchivedChat {
  chat: ChatSummary
  room: ChatRoom
}

/**
 * Archived chats of both rooms, folded away under one heading: out of the
 * lists, still readable, and restorable by anyone who may write.
 */
export function ArchivedChats({
  chats,
  slug,
  forceOpen,
  restore,
}: {
  chats: ArchivedChat[]
  slug: string
  /** Open while searching, so matches in the archive are not hidden behind the fold. */
  forceOpen: boolean
  restore: ((chat: ArchivedChat) => void) | null
}) {
  const [open, setOpen] = useState(false)
  const listId = useId()
  if (chats.length === 0) return null
  const expanded = open || forceOpen
  return (
    <section className="mt-4" aria-label="Archived chats" data-testid="archived-chats">
      <button
        type="button"
        aria-expanded={expanded}
        aria-controls={listId}
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-1 rounded-md px-2 py-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase hover:bg-zinc-200/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        <span aria-hidden className={`inline-block transition-transform ${expanded ? 'rotate-90' : ''}`}>
          ›
        </span>
        Archived ({chats.length})
      </button>
      {expanded ? (
        <ul id={listId} className="mt-1 space-y-0.5">
          {chats.map(({ chat, room }) => (
            <li
              key={chat.id}
              className="flex items-center gap-1 rounded-md hover:bg-zinc-200/60"
              data-testid="archived-chat"
            >
              <Link
                to="/w/$workspaceSlug/c/$chatId"
                params={{ workspaceSlug: slug, chatId: chat.id }}
                className="block min-w-0 flex-1 truncate rounded-md px-2 py-1.5 text-sm text-zinc-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
              >
                {shownTitle(chat)}
              </Link>
              <span className="text-[11px] text-zinc-400">{room === 'shared' ? 'shared' : 'private'}</span>
              {restore ? (
                <button
                  type="button"
                  onClick={() => restore({ chat, room })}
                  className="rounded-md px-2 py-1 text-xs font-medium text-indigo-700 hover:bg-indigo-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
                >
                  Restore
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
