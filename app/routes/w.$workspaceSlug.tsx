import { createFileRoute, Outlet, redirect } from '@tanstack/react-router'
import { AppFrame } from '../components/app-frame'
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
    <AppFrame viewer={shell.viewer} current={current} workspaces={shell.workspaces}>
      <Outlet />
    </AppFrame>
  )
}
