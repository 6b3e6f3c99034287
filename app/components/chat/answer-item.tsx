import { useState } from 'react'
import type { Message } from '../../../shared/doc'
import { CopyButton } from '../copy-button'
import { MessageMarkdown } from '../markdown'
import { MessageMeta } from '../message-meta'

const OPEN = new Set(['pending', 'streaming'])

/**
 * The AI's answer to a question, with its earlier versions one click away
 * (regenerated answers do not replace, they add). Everyone in the room sees
 * it stream in; writers may stop it or ask for another.
 */
export function AnswerItem({
  versions,
  canWrite,
  onStop,
  onRegenerate,
}: {
  /** Oldest first; the latest is shown unless the person picks another. */
  versions: readonly Message[]
  canWrite: boolean
  onStop: (message: Message) => void
  onRegenerate: (() => void) | null
}) {
  const [picked, setPicked] = useState<number | null>(null)
  // A new version (regenerated, or asked again after an edit) is shown as it arrives.
  const [seen, setSeen] = useState(versions.length)
  if (seen !== versions.length) {
    setSeen(versions.length)
    setPicked(null)
  }
  const index = picked === null || picked >= versions.length ? versions.length - 1 : picked
  const message = versions[index]
  if (!message) return null
  const open = OPEN.has(message.status)
  return (
    <li data-testid="message" data-role="assistant" data-status={message.status} className="group flex justify-start">
      <div className="max-w-[85%] min-w-0">
        <div
          className="rounded-2xl bg-white px-4 py-2 text-sm text-zinc-900 ring-1 ring-zinc-200"
          data-testid="message-content"
        >
          {message.content ? (
            <MessageMarkdown text={message.content} />
          ) : message.status === 'pending' ? (
            <span className="text-zinc-400">Thinking…</span>
          ) : null}
          {message.status === 'error' ? <p className="mt-1 text-xs text-red-600">{message.error}</p> : null}
          {message.status === 'stopped' ? <p className="mt-1 text-xs text-zinc-400">Stopped</p> : null}
        </div>
        <div className="mt-1 flex items-center gap-3 text-xs text-zinc-500">
          {versions.length > 1 ? (
            <span className="flex items-center gap-1" data-testid="answer-versions">
              <button
                type="button"
                aria-label="Previous version"
                disabled={index === 0}
                onClick={() => setPicked(index - 1)}
                className="px-1 disabled:opacity-30"
              >
                ‹
              </button>
              <span>
                {index + 1}/{versions.length}
              </span>
              <button
                type="button"
                aria-label="Next version"
                disabled={index === versions.length - 1}
                onClick={() => setPicked(index + 1)}
                className="px-1 disabled:opacity-30"
              >
                ›
              </button>
            </span>
          ) : null}
          {!open && message.content ? (
            <CopyButton text={message.content} label="Copy answer" className="hover:text-zinc-800" />
          ) : null}
          {open && canWrite ? (
            <button type="button" onClick={() => onStop(message)} className="underline hover:text-zinc-800">
              Stop
            </button>
          ) : null}
          {!open && canWrite && onRegenerate ? (
            <button
              type="button"
              onClick={() => {
                setPicked(null)
                onRegenerate()
              }}
              className="hover:text-zinc-800"
            >
              Regenerate
            </button>
          ) : null}
        </div>
        <MessageMeta
          message={message}
          className="mt-0.5 text-xs text-zinc-400 opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100"
        />
      </div>
    </li>
  )
}
