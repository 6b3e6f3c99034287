import { createFileRoute } from '@tanstack/react-router'
import { WorkspaceHome } from '../components/workspace-home'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/')({
  component: () => {
    const { workspace, role } = useWorkspace()
    return <WorkspaceHome workspace={workspace} role={role} />
  },
})
