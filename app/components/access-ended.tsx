import { useEffect } from 'react'
import type { Revocation } from '../lib/sync/workspace-replica'
import { Card } from './ui'

/** How long the notice stays before the app moves to the person's own workspace. */
const MOVE_AFTER_MS = 4000

/**
 * The server ended our access to the shown workspace (removed, workspace
 * deleted, or signed out elsewhere): its local copy is already gone. Says so,
 * then moves to the landing page, which opens the personal workspace.
 */
export function AccessEnded({ revocation }: { revocation: Revocation }) {
  useEffect(() => {
    const timer = setTimeout(() => window.location.assign('/'), MOVE_AFTER_MS)
    return () => clearTimeout(timer)
  }, [])
  const signedOut = revocation.code === 4401
  return (
    <div className="mx-auto max-w-xl px-6 py-16" data-testid="access-ended">
      <Card title={signedOut ? 'You were signed out' : 'This workspace is no longer available to you'}>
        <p className="text-sm text-zinc-600">
          {signedOut
            ? 'Sign in again to continue.'
            : 'You were removed from it, or it was deleted. Its copy on this device has been cleared.'}{' '}
          Taking you to your own workspace…
        </p>
        <a href="/" className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:underline">
          Go now
        </a>
      </Card>
    </div>
  )
}
