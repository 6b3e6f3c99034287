import { createFileRoute } from '@tanstack/react-router'
import { GeneralSettings } from '../components/general-settings'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/settings/')({
  component: () => {
    const { workspace, role } = useWorkspace()
    return <GeneralSettings key={workspace.id} workspace={workspace} role={role} />
  },
})
