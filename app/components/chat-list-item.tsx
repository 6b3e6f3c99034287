import { Link } from '@tanstack/react-router'
import { useEffect, useId, useRef, useState } from 'react'
import type { ChatSummary } from '../../shared/doc'
import { ChatActionsMenu, type MenuAction } from './chat-actions-menu'

export type ChatRoom = 'shared' | 'private'

/** The title the sidebar shows: a chat is named by its first answer, and is a "New chat" until then. */
export function shownTitle(chat: Pick<ChatSummary, 'title'>): string {
  return chat.title || 'New chat'
}

/** What can be done to a chat from the sidebar; null hides the entry (a viewer, or not allowed here). */
export interface ChatItemActions {
  /** Saves a new title; resolves to an error message to show, or null when saved. */
  rename: ((title: string) => string | null) | null
  togglePin: (() => void) | null
  archive: (() => void) | null
  move: { label: string; run: () => void } | null
  remove: (() => void) | null
}

/** One chat in the sidebar: its link, or the title being edited, and its actions menu. */
export function ChatListItem({ chat, slug, actions }: { chat: ChatSummary; slug: string; actions: ChatItemActions }) {
  const [editing, setEditing] = useState(false)
  const menu: MenuAction[] = []
  if (actions.rename) menu.push({ id: 'rename', label: 'Rename', run: () => setEditing(true) })
  if (actions.togglePin) menu.push({ id: 'pin', label: chat.pinned ? 'Unpin' : 'Pin', run: actions.togglePin })
  if (actions.archive) menu.push({ id: 'archive', label: 'Archive', run: actions.archive })
  if (actions.move) menu.push({ id: 'move', label: actions.move.label, run: actions.move.run })
  if (actions.remove) menu.push({ id: 'delete', label: 'Delete', danger: true, run: actions.remove })
  return (
    <li
      className="group flex items-center gap-0.5 rounded-md hover:bg-zinc-200/60 has-[[aria-current=page]]:bg-zinc-200/80"
      data-testid="chat-item"
      data-chat-id={chat.id}
    >
      {editing && actions.rename ? (
        <RenameField title={chat.title} save={actions.rename} done={() => setEditing(false)} />
      ) : (
        <Link
          to="/w/$workspaceSlug/c/$chatId"
          params={{ workspaceSlug: slug, chatId: chat.id }}
          className="block min-w-0 flex-1 truncate rounded-md px-2 py-1.5 text-sm text-zinc-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
          activeProps={{ className: 'font-medium text-zinc-900' }}
        >
          {shownTitle(chat)}
        </Link>
      )}
      {menu.length > 0 && !editing ? <ChatActionsMenu actions={menu} /> : null}
    </li>
  )
}

/**
 * Edits a title in place: Enter saves, Escape cancels, leaving the field
 * saves a changed title and drops an empty one; a refused title keeps the
 * field open with the reason under it.
 */
function RenameField({
  title,
  save,
  done,
}: {
  title: string
  save: (title: string) => string | null
  done: () => void
}) {
  const [value, setValue] = useState(title)
  const [error, setError] = useState<string | null>(null)
  const input = useRef<HTMLInputElement>(null)
  // Set when Enter or Escape already settled the edit, so the blur that follows does nothing.
  const settled = useRef(false)
  const errorId = useId()
  useEffect(() => {
    input.current?.focus()
    input.current?.select()
  }, [])
  const commit = (): boolean => {
    const problem = save(value)
    setError(problem)
    return problem === null
  }
  const finish = () => {
    settled.current = true
    done()
  }
  return (
    <div className="min-w-0 flex-1 px-1 py-0.5">
      <input
        ref={input}
        value={value}
        aria-label="Chat title"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        maxLength={200}
        onChange={(e) => {
          setValue(e.target.value)
          setError(null)
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault()
            if (commit()) finish()
          } else if (e.key === 'Escape') {
            e.preventDefault()
            e.stopPropagation()
            finish()
          }
        }}
        onBlur={() => {
          if (settled.current) return
          if (value.trim() !== '' && value.trim() !== title) commit()
          done()
        }}
        className="block w-full rounded-md bg-white px-2 py-1 text-sm text-zinc-900 ring-1 ring-indigo-500 focus:outline-none"
      />
      {error ? (
        <p id={errorId} role="alert" className="mt-1 px-1 text-xs text-red-600">
          {error}
        </p>
      ) : null}
    </div>
  )
}
