import { Link, useNavigate } from '@tanstack/react-router'
import { createChat, listChats, type ChatSummary } from '../../shared/doc'
import { useDocValue } from '../lib/sync/use-doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'

const NO_CHATS: ChatSummary[] = []

/**
 * The sidebar's chats: the workspace's shared chats and the viewer's
 * private ones, read live from the rooms (pinned first, then by activity).
 */
export function ChatList({ slug, userId, canWrite }: { slug: string; userId: string; canWrite: boolean }) {
  const replica = useWorkspaceReplica()
  const navigate = useNavigate()
  const shared = useDocValue(replica?.shared.doc ?? null, (d) => listChats(d).filter((c) => !c.archived), NO_CHATS)
  const mine = useDocValue(replica?.private.doc ?? null, (d) => listChats(d).filter((c) => !c.archived), NO_CHATS)
  const startChat = (room: 'shared' | 'private') => {
    if (!replica) return
    const doc = room === 'shared' ? replica.shared.doc : replica.private.doc
    const chat = createChat(doc, { createdBy: userId })
    void navigate({ to: '/w/$workspaceSlug/c/$chatId', params: { workspaceSlug: slug, chatId: chat.id } })
  }
  return (
    <div className="mt-4 min-h-0 flex-1 overflow-y-auto" data-testid="chat-list">
      {canWrite ? (
        <div className="flex gap-2 px-2">
          <button
            type="button"
            onClick={() => startChat('shared')}
            disabled={!replica}
            className="flex-1 rounded-md bg-indigo-600 px-2 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            New chat
          </button>
          <button
            type="button"
            onClick={() => startChat('private')}
            disabled={!replica}
            title="Only you can see a private chat"
            className="rounded-md px-2 py-1.5 text-sm text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-200/60 disabled:opacity-50"
          >
            Private
          </button>
        </div>
      ) : null}
      <ChatGroup label="Shared" chats={shared} slug={slug} testId="shared-chats" />
      <ChatGroup label="Private" chats={mine} slug={slug} testId="private-chats" />
    </div>
  )
}

function ChatGroup({
  label,
  chats,
  slug,
  testId,
}: {
  label: string
  chats: ChatSummary[]
  slug: string
  testId: string
}) {
  return (
    <section className="mt-4" aria-label={`${label} chats`} data-testid={testId}>
      <h2 className="px-2 text-xs font-medium tracking-wide text-zinc-500 uppercase">{label}</h2>
      {chats.length === 0 ? (
        <p className="px-2 py-1 text-xs text-zinc-400">No chats yet</p>
      ) : (
        <ul className="mt-1 space-y-0.5">
          {chats.map((chat) => (
            <li key={chat.id}>
              <Link
                to="/w/$workspaceSlug/c/$chatId"
                params={{ workspaceSlug: slug, chatId: chat.id }}
                className="block truncate rounded-md px-2 py-1.5 text-sm text-zinc-700 hover:bg-zinc-200/60"
                activeProps={{ className: 'bg-zinc-200/70 font-medium text-zinc-900' }}
              >
                {chat.pinned ? '📌 ' : ''}
                {chat.title || 'New chat'}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
