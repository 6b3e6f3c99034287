import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'

export type ToastTone = 'info' | 'success' | 'error'

export interface Toaster {
  /** Shows a short message that goes away by itself; errors stay a little longer and are announced at once. */
  show: (message: string, tone?: ToastTone) => void
}

interface Toast {
  id: number
  message: string
  tone: ToastTone
}

const DURATION_MS: Record<ToastTone, number> = { info: 4000, success: 4000, error: 7000 }
const MAX_SHOWN = 3

const TONES: Record<ToastTone, string> = {
  info: 'bg-zinc-900 text-white',
  success: 'bg-emerald-700 text-white',
  error: 'bg-red-700 text-white',
}

// Outside a provider (a page rendered without the app frame) toasts are dropped rather than crashing the page.
const ToastContext = createContext<Toaster>({ show: () => {} })

/** Holds the page's toasts and shows them in one corner; mounted once by the app frame. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([])
  const nextId = useRef(0)
  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), [])
  const show = useCallback((message: string, tone: ToastTone = 'info') => {
    const id = ++nextId.current
    setToasts((all) => [...all, { id, message, tone }].slice(-MAX_SHOWN))
  }, [])
  const toaster = useMemo(() => ({ show }), [show])
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div
        // At the top: at the bottom they would cover the message box and its Send button.
        className="pointer-events-none fixed inset-x-0 top-3 z-50 flex flex-col items-center gap-2 px-4"
        data-testid="toasts"
      >
        {toasts.map((t) => (
          <ToastCard key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  )
}

function ToastCard({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), DURATION_MS[toast.tone])
    return () => clearTimeout(timer)
  }, [toast.id, toast.tone, onDismiss])
  return (
    <div
      role={toast.tone === 'error' ? 'alert' : 'status'}
      data-testid="toast"
      data-tone={toast.tone}
      className={`pointer-events-auto flex max-w-sm items-start gap-3 rounded-lg px-4 py-2.5 text-sm shadow-lg ${TONES[toast.tone]}`}
    >
      <span className="min-w-0 flex-1">{toast.message}</span>
      <button
        type="button"
        onClick={() => onDismiss(toast.id)}
        aria-label="Dismiss"
        className="-mr-1 rounded px-1 text-white/70 hover:text-white focus:outline-none focus-visible:ring-2 focus-visible:ring-white"
      >
        ×
      </button>
    </div>
  )
}

/** The frame's toaster: `useToast().show('Chat moved', 'success')`. */
export function useToast(): Toaster {
  return useContext(ToastContext)
}
