import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import { AccessEnded } from '../components/access-ended'
import { AppFrame } from '../components/app-frame'
import { WorkspaceReplicaProvider } from '../lib/sync/workspace-replica-context'
import { NotAvailable } from '../components/not-available'
import { getWorkspaceShell } from '../server/pages.functions'

export const Route = createFileRoute('/w/$workspaceSlug')({
  loader: async ({ params, location }) => {
    const shell = await getWorkspaceShell({ data: { slug: params.workspaceSlug } })
    if (shell.status === 'signed-out') throw redirect({ to: '/sign-in', search: { redirect: location.href } })
    return shell
  },
  component: WorkspaceLayout,
})

function WorkspaceLayout() {
  const shell = Route.useLoaderData()
  if (shell.status === 'not-available') {
    return (
      <AppFrame viewer={shell.viewer} current={null} workspaces={shell.workspaces}>
        <NotAvailable />
      </AppFrame>
    )
  }
  const current = shell.workspaces.find((w) => w.id === shell.workspace.id) ?? { ...shell.workspace, role: shell.role }
  return (
    // Keyed by workspace: switching replaces the whole replica and everything that read it.
    <WorkspaceReplicaProvider
      key={shell.workspace.id}
      workspaceId={shell.workspace.id}
      person={shell.viewer}
      revoked={(revocation) => (
        <AppFrame viewer={shell.viewer} current={null} workspaces={shell.workspaces}>
          <AccessEnded revocation={revocation} />
        </AppFrame>
      )}
    >
      <AppFrame viewer={shell.viewer} current={current} workspaces={shell.workspaces}>
        <Outlet />
      </AppFrame>
    </WorkspaceReplicaProvider>
  )
}
