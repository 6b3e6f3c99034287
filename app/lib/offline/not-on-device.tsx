import { useRouter } from '@tanstack/react-router'

/** Offline, for a workspace this device never kept: nothing to show until the server can be reached. */
export function NotOnDevice() {
  const router = useRouter()
  return (
    <div className="mx-auto mt-24 max-w-md px-6 text-center" data-testid="not-on-device" role="status">
      <h1 className="text-xl font-semibold text-zinc-900">You are offline and this workspace is not on this device</h1>
      <p className="mt-2 text-sm text-zinc-600">
        A workspace opens offline once it has been opened here with a connection. Connect and try again.
      </p>
      <button
        type="button"
        onClick={() => void router.invalidate()}
        className="mt-6 text-sm font-medium text-indigo-600 hover:underline"
      >
        Try again
      </button>
    </div>
  )
}
