import { signOutAndForget } from '../lib/sign-out'
import { Link } from '@tanstack/react-router'
import { api } from '../lib/api'
import { Button, CenteredPage, Notice, RoleBadge } from './ui'
import { useAction } from './use-action'

interface InvitationInfo {
  id: string
  email: string
  role: string
  state: 'pending' | 'expired' | 'accepted' | 'canceled' | 'rejected'
  workspaceName: string
  inviterName: string
}

const ENDED: Record<Exclude<InvitationInfo['state'], 'pending'>, string> = {
  expired: 'This invitation has expired. Ask for a new one.',
  accepted: 'This invitation was already used.',
  canceled: 'This invitation was revoked.',
  rejected: 'This invitation was declined.',
}

/**
 * The accept page: a clear answer for every state of the link, and for a
 * logged-out visitor a way to sign in or sign up that comes back here.
 */
export function InvitationView({
  invitation,
  viewer,
}: {
  invitation: InvitationInfo | null
  viewer: { id: string; email: string } | null
}) {
  const accept = useAction(async () => {
    const res = await api<{ invitation: { organizationId: string } }>('/api/auth/organization/accept-invitation', {
      invitationId: invitation!.id,
    })
    const { workspaces } = await api<{ workspaces: { id: string; slug: string }[] }>('/api/workspaces')
    const slug = workspaces.find((w) => w.id === res.invitation.organizationId)?.slug
    window.location.assign(slug ? `/w/${slug}` : '/')
  })
  const signOut = useAction(async () => {
    if (viewer) await signOutAndForget(viewer.id)
    window.location.reload()
  })

  if (!invitation) {
    return (
      <CenteredPage title="Invitation not found">
        <Notice tone="error">This invitation link is not valid. Check that you copied all of it.</Notice>
      </CenteredPage>
    )
  }
  if (invitation.state !== 'pending') {
    return (
      <CenteredPage title={`Invitation to ${invitation.workspaceName}`}>
        <Notice tone="error">{ENDED[invitation.state]}</Notice>
        <Link to="/" className="mt-4 block text-center text-sm text-indigo-600 hover:underline">
          Go to Workspaces
        </Link>
      </CenteredPage>
    )
  }
  const here = `/invite/${invitation.id}`
  return (
    <CenteredPage
      title={`Join ${invitation.workspaceName}`}
      subtitle={
        <>
          {invitation.inviterName} invited <strong>{invitation.email}</strong> as <RoleBadge role={invitation.role} />
        </>
      }
    >
      <div className="space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200">
        {!viewer ? (
          <>
            <p className="text-sm text-zinc-600">Sign in or create an account with {invitation.email} to accept.</p>
            <Link
              to="/sign-up"
              search={{ redirect: here, email: invitation.email }}
              className="block rounded-md bg-indigo-600 px-3 py-2 text-center text-sm font-medium text-white hover:bg-indigo-500"
            >
              Create account and accept
            </Link>
            <Link
              to="/sign-in"
              search={{ redirect: here, email: invitation.email }}
              className="block rounded-md px-3 py-2 text-center text-sm font-medium text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-50"
            >
              I already have an account
            </Link>
          </>
        ) : viewer.email.toLowerCase() !== invitation.email.toLowerCase() ? (
          <>
            <Notice tone="error">
              This invitation is for {invitation.email}, but you are signed in as {viewer.email}.
            </Notice>
            <Button
              variant="secondary"
              className="w-full"
              onClick={() => void signOut.run()}
              disabled={signOut.pending}
            >
              Sign out and switch account
            </Button>
          </>
        ) : (
          <>
            {accept.error ? <Notice tone="error">{accept.error}</Notice> : null}
            <Button className="w-full" onClick={() => void accept.run()} disabled={accept.pending}>
              {accept.pending ? 'Joining…' : `Accept and join ${invitation.workspaceName}`}
            </Button>
          </>
        )}
      </div>
    </CenteredPage>
  )
}
