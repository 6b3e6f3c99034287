import { useSyncStatus } from '../lib/sync/workspace-replica-context'

const LABELS = { online: 'Online', syncing: 'Syncing…', offline: 'Offline' } as const
const DOTS = { online: 'bg-emerald-500', syncing: 'bg-amber-400', offline: 'bg-zinc-400' } as const

/** Whether this workspace's rooms are live with the server, catching up, or kept locally only. */
export function SyncIndicator() {
  const status = useSyncStatus()
  if (!status) return null
  return (
    <p
      className="mt-2 flex items-center gap-2 px-2 text-xs text-zinc-600"
      data-testid="sync-status"
      data-status={status}
      role="status"
      aria-live="polite"
    >
      <span className={`inline-block h-2 w-2 rounded-full ${DOTS[status]}`} aria-hidden="true" />
      {LABELS[status]}
      {status === 'offline' ? <span className="text-zinc-400">· changes are kept on this device</span> : null}
    </p>
  )
}
