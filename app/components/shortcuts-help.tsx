import { useEffect, useId, useRef } from 'react'
import { shortcutKeys, type Shortcut } from '../lib/use-shortcuts'

/** The "?" panel: every shortcut with its keys, as this person's keyboard writes them. */
export function ShortcutsHelp({
  open,
  shortcuts,
  mac,
  onClose,
}: {
  open: boolean
  shortcuts: readonly Shortcut[]
  mac: boolean
  onClose: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const d = dialog.current
    if (!d) return
    if (open && !d.open) d.showModal()
    else if (!open && d.open) d.close()
  }, [open])
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
      onClick={(e) => {
        if (e.target === dialog.current) onClose()
      }}
      className="m-auto w-[min(26rem,calc(100vw-2rem))] rounded-xl bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
      data-testid="shortcuts-help"
    >
      {open ? (
        <div className="p-5">
          <div className="flex items-center justify-between">
            <h2 id={titleId} className="text-base font-semibold text-zinc-900">
              Keyboard shortcuts
            </h2>
            <button
              type="button"
              onClick={onClose}
              aria-label="Close"
              className="rounded px-1.5 text-lg leading-none text-zinc-500 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
              ×
            </button>
          </div>
          <dl className="mt-4 space-y-2">
            {shortcuts.map((s) => (
              <div key={s.description} className="flex items-center justify-between gap-4 text-sm">
                <dt className="text-zinc-700">{s.description}</dt>
                <dd className="flex gap-1">
                  {shortcutKeys(s, mac).map((k) => (
                    <kbd
                      key={k}
                      className="min-w-6 rounded bg-zinc-100 px-1.5 py-0.5 text-center font-sans text-xs text-zinc-700 ring-1 ring-zinc-200"
                    >
                      {k}
                    </kbd>
                  ))}
                </dd>
              </div>
            ))}
            <div className="flex items-center justify-between gap-4 text-sm">
              <dt className="text-zinc-700">Close a menu or dialog</dt>
              <dd>
                <kbd className="rounded bg-zinc-100 px-1.5 py-0.5 font-sans text-xs text-zinc-700 ring-1 ring-zinc-200">
                  Esc
                </kbd>
              </dd>
            </div>
          </dl>
        </div>
      ) : null}
    </dialog>
  )
}
