import type { ReactNode } from 'react'

/** A line in place of a chat that cannot be shown (yet): opening, not here, not on this device. */
export function ChatNotice({ testId, children }: { testId: string; children: ReactNode }) {
  return (
    <p className="p-6 text-sm text-zinc-500" role="status" data-testid={testId}>
      {children}
    </p>
  )
}
