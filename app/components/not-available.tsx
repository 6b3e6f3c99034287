import { Link } from '@tanstack/react-router'

/** Shown for a workspace that does not exist or that the viewer does not belong to: the same page either way. */
export function NotAvailable() {
  return (
    <div className="mx-auto mt-24 max-w-md px-6 text-center" data-testid="not-available">
      <h1 className="text-xl font-semibold text-zinc-900">This workspace is not available</h1>
      <p className="mt-2 text-sm text-zinc-600">
        It may not exist, or you are not a member. Ask an admin of the workspace for an invitation.
      </p>
      <Link to="/" className="mt-6 inline-block text-sm font-medium text-indigo-600 hover:underline">
        Go to your workspace
      </Link>
    </div>
  )
}
