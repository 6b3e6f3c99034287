import { createFileRoute } from '@tanstack/react-router'
import { can } from '../../shared/capabilities'
import { ChatView } from '../components/chat-view'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/c/$chatId')({
  component: () => {
    const { workspace, role, viewer } = useWorkspace()
    const { chatId } = Route.useParams()
    return (
      <ChatView
        key={chatId}
        workspaceId={workspace.id}
        chatId={chatId}
        userId={viewer.id}
        canWrite={can(role, 'content:write')}
      />
    )
  },
})
