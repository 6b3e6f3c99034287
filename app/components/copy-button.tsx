import { useEffect, useState } from 'react'

/** How long "Copied" shows before the button reads "Copy" again, ms. */
const CONFIRM_MS = 1500

type CopyState = 'idle' | 'copied' | 'failed'

/**
 * The Clipboard API exists only in secure contexts (https, localhost); a
 * self-hosted server reached over plain http on a LAN has none, so the old
 * selection-based copy is the fallback there.
 */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) return navigator.clipboard.writeText(text)
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.append(area)
  area.select()
  try {
    if (!document.execCommand('copy')) throw new Error('Copy was refused')
  } finally {
    area.remove()
  }
}

export interface CopyButtonProps {
  /** What is copied, read at click time. */
  text: string
  /** Accessible name, e.g. "Copy code" or "Copy message"; it stays the same while "Copied" shows. */
  label: string
  className?: string
}

/**
 * A small "Copy" button that puts `text` on the clipboard and reads
 * "Copied" for a moment. The outcome is also announced through a polite
 * live region, since the accessible name does not change.
 */
export function CopyButton({ text, label, className = '' }: CopyButtonProps) {
  const [state, setState] = useState<CopyState>('idle')
  // Each copy restarts the confirmation's time, even when it already shows.
  const [copies, setCopies] = useState(0)

  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => setState('idle'), CONFIRM_MS)
    return () => clearTimeout(timer)
  }, [state, copies])

  const shown = state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'
  return (
    <>
      <button
        type="button"
        aria-label={label}
        title={label}
        className={`rounded px-2 py-0.5 text-xs font-medium text-zinc-600 transition hover:bg-zinc-200 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 ${className}`}
        onClick={() => {
          copyText(text).then(
            () => setState('copied'),
            () => setState('failed'),
          )
          setCopies((n) => n + 1)
        }}
      >
        {shown}
      </button>
      <span role="status" className="sr-only">
        {state === 'idle' ? '' : shown}
      </span>
    </>
  )
}
