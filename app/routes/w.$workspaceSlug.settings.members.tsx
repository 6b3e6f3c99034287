import { createFileRoute } from '@tanstack/react-router'
import { MembersPanel } from '../components/members-panel'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/settings/members')({
  component: () => {
    const { workspace, role, memberId } = useWorkspace()
    return <MembersPanel key={workspace.id} workspace={workspace} role={role} memberId={memberId} />
  },
})
