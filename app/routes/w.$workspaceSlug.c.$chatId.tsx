import { createFileRoute } from '@tanstack/react-router'
import { can } from '../../shared/capabilities'
import { ChatView } from '../components/chat-view'
import { useWorkspace } from '../lib/workspace-route'
import { getChatLocation } from '../server/pages.functions'

export const Route = createFileRoute('/w/$workspaceSlug/c/$chatId')({
  // The server render says where the chat is, so its room opens before the index rooms decode.
  // In the browser (navigations, offline) the index rooms and the kept lists say it.
  loader: ({ params }) =>
    typeof window === 'undefined'
      ? getChatLocation({ data: { slug: params.workspaceSlug, chatId: params.chatId } }).catch(() => null)
      : null,
  component: () => {
    const { workspace, role, viewer } = useWorkspace()
    const { chatId } = Route.useParams()
    const located = Route.useLoaderData()
    return (
      <ChatView
        key={chatId}
        workspaceId={workspace.id}
        chatId={chatId}
        located={located}
        userId={viewer.id}
        canWrite={can(role, 'content:write')}
      />
    )
  },
})
