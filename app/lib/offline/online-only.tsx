import { useSyncExternalStore, type ReactNode } from 'react'

const subscribe = (notify: () => void) => {
  window.addEventListener('online', notify)
  window.addEventListener('offline', notify)
  return () => {
    window.removeEventListener('online', notify)
    window.removeEventListener('offline', notify)
  }
}

/** Whether the browser has a network; the server render assumes it has. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => navigator.onLine,
    () => true,
  )
}

/**
 * Pages that are the server's live data (usage, billing, settings) and have
 * no copy on the device: offline they say so instead of failing to load.
 */
export function OnlineOnly({ what, children }: { what: string; children: ReactNode }) {
  const online = useOnline()
  if (online) return children
  return (
    <div className="mx-auto mt-24 max-w-md px-6 text-center" data-testid="not-available-offline" role="status">
      <h1 className="text-xl font-semibold text-zinc-900">Not available offline</h1>
      <p className="mt-2 text-sm text-zinc-600">
        {what} come from the server. Your chats stay available on this device; connect to see this page.
      </p>
    </div>
  )
}
