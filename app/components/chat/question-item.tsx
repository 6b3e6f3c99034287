import { useState } from 'react'
import type { Message } from '../../../shared/doc'
import { PersonAvatar } from './person-avatar'
import { PlainText } from './message-text'

/**
 * A person's message. In a shared chat it carries its author's avatar.
 * Its author may edit it and ask again: the new answer follows it, the
 * earlier ones stay as previous versions.
 */
export function QuestionItem({
  message,
  authorName,
  mine,
  showAuthor,
  canEdit,
  waiting,
  onEditAndResend,
}: {
  message: Message
  authorName: string | undefined
  /** Written by the viewer: labelled "You". */
  mine: boolean
  showAuthor: boolean
  canEdit: boolean
  /** The request for its answer waits for the connection. */
  waiting: boolean
  onEditAndResend: (content: string) => void
}) {
  const [editing, setEditing] = useState(false)
  const [draft, setDraft] = useState(message.content)
  const save = () => {
    const next = draft.trim()
    if (!next) return
    setEditing(false)
    onEditAndResend(next)
  }
  return (
    <li data-testid="message" data-role="user" data-status={message.status} className="group flex justify-end gap-2">
      <div className="flex max-w-[85%] flex-col items-end">
        {showAuthor ? (
          <span className="mb-0.5 text-xs text-zinc-500" data-testid="message-author">
            {mine ? 'You' : (authorName ?? 'Former member')}
          </span>
        ) : null}
        {editing ? (
          <form
            className="w-full min-w-[16rem] rounded-2xl bg-white p-2 ring-1 ring-indigo-300"
            onSubmit={(e) => {
              e.preventDefault()
              save()
            }}
          >
            <label className="sr-only" htmlFor={`edit-${message.id}`}>
              Edit message
            </label>
            <textarea
              id={`edit-${message.id}`}
              value={draft}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setEditing(false)
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault()
                  save()
                }
              }}
              rows={3}
              className="w-full resize-y rounded-md px-2 py-1 text-sm focus:outline-none"
            />
            <div className="mt-1 flex justify-end gap-2 text-xs">
              <button type="button" onClick={() => setEditing(false)} className="rounded px-2 py-1 text-zinc-600">
                Cancel
              </button>
              <button
                type="submit"
                disabled={!draft.trim()}
                className="rounded bg-indigo-600 px-2 py-1 font-medium text-white disabled:opacity-50"
              >
                Save and ask again
              </button>
            </div>
          </form>
        ) : (
          <div className="rounded-2xl bg-indigo-600 px-4 py-2 text-sm text-white">
            <PlainText text={message.content} />
          </div>
        )}
        {waiting ? (
          <span className="mt-1 text-xs text-amber-700" data-testid="pending-generation">
            Waiting for the connection: it will be answered when you are back online
          </span>
        ) : null}
        {canEdit && !editing ? (
          <button
            type="button"
            onClick={() => {
              setDraft(message.content)
              setEditing(true)
            }}
            className="mt-1 text-xs text-zinc-500 opacity-0 group-focus-within:opacity-100 group-hover:opacity-100 hover:text-zinc-800 focus:opacity-100"
          >
            Edit
          </button>
        ) : null}
      </div>
      {showAuthor ? <PersonAvatar id={message.authorId} name={authorName} /> : null}
    </li>
  )
}
