import { createFileRoute } from '@tanstack/react-router'
import { InvitationsPanel } from '../components/invitations-panel'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/settings/invitations')({
  component: () => {
    const { workspace, role } = useWorkspace()
    return <InvitationsPanel key={workspace.id} workspace={workspace} role={role} />
  },
})
