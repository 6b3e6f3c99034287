import type { Ref } from 'react'

/**
 * The sidebar's search box: filters the chat lists by title as one types.
 * Escape clears it, and a second Escape leaves it.
 */
export function ChatSearch({
  query,
  onQuery,
  inputRef,
  hint,
}: {
  query: string
  onQuery: (query: string) => void
  inputRef?: Ref<HTMLInputElement>
  /** The shortcut that focuses the box, shown while it is empty. */
  hint?: string
}) {
  return (
    <div className="relative px-2">
      <input
        ref={inputRef}
        type="search"
        value={query}
        onChange={(e) => onQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return
          e.preventDefault()
          if (query) onQuery('')
          else e.currentTarget.blur()
        }}
        aria-label="Search chats"
        aria-keyshortcuts="Control+K Meta+K"
        placeholder="Search chats"
        data-testid="chat-search"
        className="block w-full rounded-md border-0 bg-white py-1.5 pr-14 pl-2.5 text-sm text-zinc-900 ring-1 ring-zinc-300 placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none"
      />
      {hint && !query ? (
        <kbd
          aria-hidden
          className="pointer-events-none absolute top-1/2 right-4 -translate-y-1/2 rounded bg-zinc-100 px-1.5 font-sans text-[11px] text-zinc-500 ring-1 ring-zinc-200"
        >
          {hint}
        </kbd>
      ) : null}
    </div>
  )
}
