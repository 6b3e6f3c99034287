import { useEffect, useId, useRef, type ReactNode } from 'react'

/**
 * A modal question with a confirm and a cancel button, on the native
 * `<dialog>`: the browser traps focus inside it, makes the page behind it
 * inert and closes it on Escape. Focus starts on Cancel, so a stray Enter
 * never confirms something destructive.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  tone = 'danger',
  onConfirm,
  onCancel,
}: {
  open: boolean
  title: string
  children?: ReactNode
  confirmLabel: string
  tone?: 'danger' | 'primary'
  onConfirm: () => void
  onCancel: () => void
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  const cancelButton = useRef<HTMLButtonElement>(null)
  const titleId = useId()
  const bodyId = useId()
  useEffect(() => {
    const d = dialog.current
    if (!d) return
    if (open && !d.open) {
      d.showModal()
      cancelButton.current?.focus()
    } else if (!open && d.open) d.close()
  }, [open])
  const confirmClass =
    tone === 'danger' ? 'bg-red-600 text-white hover:bg-red-500' : 'bg-indigo-600 text-white hover:bg-indigo-500'
  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      // Escape closes the native dialog by itself; the parent's state must follow.
      onCancel={(e) => {
        e.preventDefault()
        onCancel()
      }}
      onClick={(e) => {
        if (e.target === dialog.current) onCancel()
      }}
      className="m-auto w-[min(24rem,calc(100vw-2rem))] rounded-xl bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
    >
      {open ? (
        <div className="p-5">
          <h2 id={titleId} className="text-base font-semibold text-zinc-900">
            {title}
          </h2>
          {children ? (
            <div id={bodyId} className="mt-2 text-sm text-zinc-600">
              {children}
            </div>
          ) : null}
          <div className="mt-5 flex justify-end gap-2">
            <button
              ref={cancelButton}
              type="button"
              onClick={onCancel}
              className="rounded-md px-3 py-2 text-sm font-medium text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            >
              Cancel
            </button>
            <button
              type="button"
              onClick={onConfirm}
              className={`rounded-md px-3 py-2 text-sm font-medium focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 ${confirmClass}`}
            >
              {confirmLabel}
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  )
}
