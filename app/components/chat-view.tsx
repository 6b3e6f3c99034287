import { useState } from 'react'
import { appendMessage, getChat, type Chat, type Message } from '../../shared/doc'
import { api, errorMessage } from '../lib/api'
import { useDocValue } from '../lib/sync/use-doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { Button } from './ui'

const OPEN = new Set(['pending', 'streaming'])

/**
 * One chat, read live from whichever of the workspace's rooms holds it: the
 * people's messages and the AI's answers as they stream in (the server
 * writes them into the room, so every member sees the same). Asking writes
 * the question into the room, then asks the server for the answer.
 */
export function ChatView({
  workspaceId,
  chatId,
  userId,
  canWrite,
}: {
  workspaceId: string
  chatId: string
  userId: string
  canWrite: boolean
}) {
  const replica = useWorkspaceReplica()
  const inShared = useDocValue(replica?.shared.doc ?? null, (d) => getChat(d, chatId), null)
  const inPrivate = useDocValue(replica?.private.doc ?? null, (d) => getChat(d, chatId), null)
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string | null>(null)
  const chat: Chat | null = inShared ?? inPrivate
  const room = inShared ? replica?.shared : replica?.private

  if (!replica) return <p className="p-6 text-sm text-zinc-500">Opening the workspace…</p>
  if (!chat || !room) {
    return (
      <p className="p-6 text-sm text-zinc-500" role="status">
        This chat is not here (yet): it may still be syncing, or it was deleted.
      </p>
    )
  }
  const answering = chat.messages.some((m) => m.role === 'assistant' && OPEN.has(m.status))

  const ask = async () => {
    const content = draft.trim()
    if (!content) return
    setError(null)
    const question = appendMessage(room.doc, chatId, { role: 'user', authorId: userId, content })
    setDraft('')
    try {
      await api(`/api/workspaces/${workspaceId}/generate`, { room: room.name, chatId, messageId: question.id })
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const stop = async (message: Message) => {
    try {
      await api(`/api/workspaces/${workspaceId}/generate/${message.id}/stop`, { room: room.name, chatId })
    } catch (e) {
      setError(errorMessage(e))
    }
  }

  return (
    <div className="mx-auto flex h-full max-w-3xl flex-col px-4 py-6 sm:px-6">
      <h1 className="text-lg font-semibold text-zinc-900" data-testid="chat-title">
        {chat.title || 'New chat'}
      </h1>
      <ol className="mt-4 flex-1 space-y-4" data-testid="messages" aria-live="polite">
        {chat.messages.map((m) => (
          <li
            key={m.id}
            data-testid="message"
            data-role={m.role}
            data-status={m.status}
            className={m.role === 'user' ? 'flex justify-end' : 'flex justify-start'}
          >
            <div
              className={`max-w-[85%] rounded-2xl px-4 py-2 text-sm whitespace-pre-wrap ${
                m.role === 'user' ? 'bg-indigo-600 text-white' : 'bg-white text-zinc-900 ring-1 ring-zinc-200'
              }`}
            >
              {m.content || (m.status === 'pending' ? <span className="text-zinc-400">Thinking…</span> : null)}
              {m.status === 'error' ? <p className="mt-1 text-xs text-red-600">{m.error}</p> : null}
              {m.status === 'stopped' ? <p className="mt-1 text-xs text-zinc-400">Stopped</p> : null}
              {m.role === 'assistant' && OPEN.has(m.status) && canWrite ? (
                <button
                  type="button"
                  onClick={() => void stop(m)}
                  className="mt-1 block text-xs text-zinc-500 underline hover:text-zinc-800"
                >
                  Stop
                </button>
              ) : null}
            </div>
          </li>
        ))}
      </ol>
      {error ? (
        <p className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      {canWrite ? (
        <form
          className="mt-4 flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault()
            void ask()
          }}
        >
          <label className="sr-only" htmlFor="composer">
            Message
          </label>
          <textarea
            id="composer"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault()
                void ask()
              }
            }}
            rows={2}
            placeholder="Ask anything…"
            className="min-h-[2.5rem] flex-1 resize-y rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none"
          />
          <Button type="submit" disabled={!draft.trim() || answering}>
            Send
          </Button>
        </form>
      ) : (
        <p className="mt-4 text-sm text-zinc-500">Viewers read chats; they do not write in them.</p>
      )}
    </div>
  )
}
