import { useEffect, useRef, useState } from 'react'
import { Button } from '../ui'

/** How long after the last keystroke a person stops showing as typing. */
const TYPING_IDLE_MS = 3000

/**
 * Where a question is written. Enter sends, Shift+Enter breaks the line.
 * Typing is told to the others (`onTyping`) and untold after a pause or on send.
 */
export function Composer({
  disabled,
  onSend,
  onTyping,
}: {
  disabled: boolean
  onSend: (content: string) => void
  onTyping: (typing: boolean) => void
}) {
  const [draft, setDraft] = useState('')
  const idle = useRef<ReturnType<typeof setTimeout> | null>(null)
  const typing = useRef(false)
  const setTyping = (next: boolean) => {
    if (idle.current) clearTimeout(idle.current)
    idle.current = next ? setTimeout(() => setTyping(false), TYPING_IDLE_MS) : null
    if (typing.current === next) return
    typing.current = next
    onTyping(next)
  }
  useEffect(
    () => () => {
      if (idle.current) clearTimeout(idle.current)
    },
    [],
  )
  const send = () => {
    const content = draft.trim()
    if (!content || disabled) return
    setDraft('')
    setTyping(false)
    onSend(content)
  }
  return (
    <form
      className="flex items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
    >
      <label className="sr-only" htmlFor="composer">
        Message
      </label>
      <textarea
        id="composer"
        value={draft}
        onChange={(e) => {
          setDraft(e.target.value)
          setTyping(e.target.value.length > 0)
        }}
        onBlur={() => setTyping(false)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault()
            send()
          }
        }}
        rows={2}
        placeholder="Ask anything…"
        className="min-h-[2.5rem] flex-1 resize-y rounded-lg border border-zinc-300 px-3 py-2 text-sm focus:border-indigo-500 focus:outline-none"
      />
      <Button type="submit" disabled={!draft.trim() || disabled}>
        Send
      </Button>
    </form>
  )
}
