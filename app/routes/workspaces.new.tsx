import { createFileRoute, redirect } from '@tanstack/react-router'
import { CreateWorkspaceForm } from '../components/create-workspace-form'
import { getViewer } from '../server/pages.functions'

export const Route = createFileRoute('/workspaces/new')({
  beforeLoad: async ({ location }) => {
    if (!(await getViewer())) throw redirect({ to: '/sign-in', search: { redirect: location.href } })
  },
  component: CreateWorkspaceForm,
})
