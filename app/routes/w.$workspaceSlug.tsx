import { createFileRoute, Outlet, redirect, useMatch } from '@tanstack/react-router'
import { useEffect } from 'react'
import { AccessEnded } from '../components/access-ended'
import { AppFrame } from '../components/app-frame'
import { WorkspaceReplicaProvider } from '../lib/sync/workspace-replica-context'
import { NotAvailable } from '../components/not-available'
import { NotOnDevice } from '../lib/offline/not-on-device'
import { keepShell } from '../lib/offline/shell-store'
import { loadWorkspaceShell } from '../lib/offline/workspace-shell'

export const Route = createFileRoute('/w/$workspaceSlug')({
  loader: async ({ params, location }) => {
    // Offline, the copy this device kept (client-side navigations re-run this loader).
    const shell = await loadWorkspaceShell(params.workspaceSlug)
    if (shell.status === 'signed-out') throw redirect({ to: '/sign-in', search: { redirect: location.href } })
    return shell
  },
  component: WorkspaceLayout,
})

function WorkspaceLayout() {
  const shell = Route.useLoaderData()
  // The chat on screen as the workspace opens loads first, from where the server saw it if it rendered the page.
  const chatPage = useMatch({ from: '/w/$workspaceSlug/c/$chatId', shouldThrow: false })
  const chatOnScreen = chatPage ? { chatId: chatPage.params.chatId, located: chatPage.loaderData ?? null } : undefined
  // Kept from the component, not the loader: the first page's shell was loaded by the server render.
  useEffect(() => {
    if (shell.status === 'ok') keepShell(shell).catch(() => undefined)
  }, [shell])
  if (shell.status === 'not-on-device') return <NotOnDevice />
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
      chatOnScreen={chatOnScreen}
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
