import { useNavigate, useParams } from '@tanstack/react-router'
import { useEffect, useState, type Ref } from 'react'
import type * as Y from 'yjs'
import { AppError } from '../../shared/errors'
import { LOCAL_ORIGIN, renameChat, setArchived, setPinned, type ChatSummary } from '../../shared/doc'
import { api, errorMessage } from '../lib/api'
import { groupChats, titleMatches } from '../lib/chat-groups'
import { useOnline } from '../lib/offline/online-only'
import { useChatSummaries } from '../lib/sync/use-chat-summaries'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { ChatListItem, shownTitle, type ChatItemActions, type ChatRoom } from './chat-list-item'
import { ChatSearch } from './chat-search'
import { ArchivedChats, type ArchivedChat } from './archived-chats'
import { ConfirmDialog } from './confirm-dialog'
import { useToast } from './toast'
import { useStartChat } from './use-start-chat'

/** Chats a section lists before "Show more": pinned and most recent come first, so these are the ones people open. */
const SHOWN_AT_FIRST = 100
const SHOWN_MORE = 200

const MINUTE_MS = 60_000

/** The clock the groups are computed against, moved on every minute so "Today" rolls over at midnight. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), MINUTE_MS)
    return () => clearInterval(timer)
  }, [])
  return now
}

/** A user-facing reason from a refused write: the doc layer's messages are written for people. */
function reason(error: unknown): string {
  if (error instanceof AppError) return Object.values(error.fields ?? {})[0] ?? error.message
  return 'Something went wrong'
}

/**
 * The sidebar's chats: the workspace's shared chats and the viewer's private
 * ones, read live from the rooms, each pinned first, then grouped by last
 * activity; a search box over both; archived chats apart, to restore.
 * Writers get a menu per chat (rename, pin, archive, move between the rooms,
 * delete); viewers only read.
 */
export function ChatList({
  slug,
  userId,
  canWrite,
  searchRef,
  searchHint,
}: {
  slug: string
  userId: string
  canWrite: boolean
  searchRef?: Ref<HTMLInputElement>
  searchHint?: string
}) {
  const replica = useWorkspaceReplica()
  const navigate = useNavigate()
  const toast = useToast()
  const startChat = useStartChat(slug, userId)
  const openChatId = (useParams({ strict: false }) as { chatId?: string }).chatId
  const shared = useChatSummaries(replica?.shared ?? null)
  const mine = useChatSummaries(replica?.private ?? null)
  const now = useNow()
  const online = useOnline()
  const [query, setQuery] = useState('')
  const [pendingDelete, setPendingDelete] = useState<{ room: ChatRoom; chat: ChatSummary } | null>(null)

  const docOf = (room: ChatRoom): Y.Doc | null => (replica ? replica.index(room).doc : null)
  /** Runs a write; a refusal becomes a toast. */
  const attempt = (write: () => void, done?: string): void => {
    try {
      write()
      if (done) toast.show(done, 'success')
    } catch (error) {
      toast.show(reason(error), 'error')
    }
  }

  const actionsFor = (room: ChatRoom, chat: ChatSummary): ChatItemActions => {
    const doc = docOf(room)
    if (!canWrite || !doc || !replica) {
      return { rename: null, togglePin: null, archive: null, move: null, remove: null }
    }
    const other: ChatRoom = room === 'shared' ? 'private' : 'shared'
    return {
      rename: (title) => {
        if (title.trim() === '') return 'A chat needs a title'
        try {
          renameChat(doc, chat.id, title, LOCAL_ORIGIN)
          return null
        } catch (error) {
          return reason(error)
        }
      },
      togglePin: () => attempt(() => setPinned(doc, chat.id, !chat.pinned, LOCAL_ORIGIN)),
      archive: () => attempt(() => setArchived(doc, chat.id, true, LOCAL_ORIGIN), 'Chat archived'),
      // Taking a shared chat private removes it from everyone else's list, so only its author may.
      // Moving copies the chat's room on the server (decision 021): it needs a connection.
      move:
        room === 'private' || chat.createdBy === userId
          ? {
              label: `${room === 'private' ? 'Move to shared' : 'Move to private'}${online ? '' : ' (needs a connection)'}`,
              run: () => {
                if (!navigator.onLine) {
                  toast.show('Moving a chat needs a connection: you are offline.', 'error')
                  return
                }
                api(`/api/workspaces/${replica.workspaceId}/chats/${chat.id}/move`, { to: other }).then(
                  () =>
                    toast.show(other === 'shared' ? 'Moved to shared chats' : 'Moved to your private chats', 'success'),
                  (error: unknown) => toast.show(errorMessage(error), 'error'),
                )
              },
            }
          : null,
      remove: () => setPendingDelete({ room, chat }),
    }
  }

  const confirmDelete = () => {
    if (!pendingDelete) return
    const { room, chat } = pendingDelete
    setPendingDelete(null)
    attempt(() => {
      replica?.deleteChat(room, chat.id)
      if (openChatId === chat.id) void navigate({ to: '/w/$workspaceSlug', params: { workspaceSlug: slug } })
    }, 'Chat deleted')
  }

  const visible = (chats: ChatSummary[]) => chats.filter((c) => !c.archived && titleMatches(shownTitle(c), query))
  const sharedShown = visible(shared)
  const mineShown = visible(mine)
  const archived: ArchivedChat[] = [
    ...shared.map((chat) => ({ chat, room: 'shared' as const })),
    ...mine.map((chat) => ({ chat, room: 'private' as const })),
  ].filter(({ chat }) => chat.archived && titleMatches(shownTitle(chat), query))
  const searching = query.trim() !== ''

  return (
    <div className="mt-4 flex min-h-0 flex-1 flex-col" data-testid="chat-list">
      {canWrite ? (
        <div className="flex gap-2 px-2">
          <button
            type="button"
            onClick={() => startChat?.('shared')}
            disabled={!startChat}
            aria-keyshortcuts="Control+Shift+O Meta+Shift+O"
            className="flex-1 rounded-md bg-indigo-600 px-2 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2 disabled:opacity-50"
          >
            New chat
          </button>
          <button
            type="button"
            onClick={() => startChat?.('private')}
            disabled={!startChat}
            title="Only you can see a private chat"
            className="rounded-md px-2 py-1.5 text-sm text-zinc-700 ring-1 ring-zinc-300 hover:bg-zinc-200/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 disabled:opacity-50"
          >
            Private
          </button>
        </div>
      ) : null}
      <div className="mt-3">
        <ChatSearch query={query} onQuery={setQuery} inputRef={searchRef} hint={searchHint} />
      </div>
      <div className="mt-1 min-h-0 flex-1 overflow-y-auto pb-2">
        {searching && sharedShown.length === 0 && mineShown.length === 0 && archived.length === 0 ? (
          <p className="px-2 pt-4 text-sm text-zinc-500" data-testid="no-chat-matches">
            No chats match “{query.trim()}”
          </p>
        ) : null}
        <ChatSection
          label="Shared"
          testId="shared-chats"
          chats={sharedShown}
          now={now}
          slug={slug}
          searching={searching}
          actionsFor={(chat) => actionsFor('shared', chat)}
        />
        <ChatSection
          label="Private"
          testId="private-chats"
          chats={mineShown}
          now={now}
          slug={slug}
          searching={searching}
          actionsFor={(chat) => actionsFor('private', chat)}
        />
        <ArchivedChats
          chats={archived}
          slug={slug}
          forceOpen={searching}
          restore={
            canWrite
              ? ({ chat, room }) => {
                  const doc = docOf(room)
                  if (doc) attempt(() => setArchived(doc, chat.id, false, LOCAL_ORIGIN))
                }
              : null
          }
        />
      </div>
      <ConfirmDialog
        open={pendingDelete !== null}
        title="Delete chat?"
        confirmLabel="Delete"
        onConfirm={confirmDelete}
        onCancel={() => setPendingDelete(null)}
      >
        {pendingDelete ? (
          <p>
            “{shownTitle(pendingDelete.chat)}” and all its messages will be deleted
            {pendingDelete.room === 'shared' ? ' for everyone in this workspace' : ''}. This can’t be undone.
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  )
}

function ChatSection({
  label,
  testId,
  chats,
  now,
  slug,
  searching,
  actionsFor,
}: {
  label: string
  testId: string
  chats: ChatSummary[]
  now: number
  slug: string
  searching: boolean
  actionsFor: (chat: ChatSummary) => ChatItemActions
}) {
  const [limit, setLimit] = useState(SHOWN_AT_FIRST)
  // A search shows every match; otherwise the newest chats first, more on request, so a
  // workspace of thousands of chats does not render thousands of links before it shows.
  const shown = searching ? chats : chats.slice(0, limit)
  const groups = groupChats(shown, now)
  return (
    <section className="mt-4" aria-label={`${label} chats`} data-testid={testId}>
      <h2 className="px-2 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{label}</h2>
      {chats.length === 0 ? (
        searching ? null : (
          <p className="px-2 py-1 text-xs text-zinc-400">No chats yet</p>
        )
      ) : (
        groups.map((group) => (
          <div key={group.key} className="mt-2" data-group={group.key}>
            <h3 className="px-2 pb-0.5 text-[11px] font-medium text-zinc-400">{group.label}</h3>
            <ul className="space-y-0.5">
              {group.chats.map((chat) => (
                <ChatListItem key={chat.id} chat={chat} slug={slug} actions={actionsFor(chat)} />
              ))}
            </ul>
          </div>
        ))
      )}
      {shown.length < chats.length ? (
        <button
          type="button"
          onClick={() => setLimit((n) => n + SHOWN_MORE)}
          className="mt-1 px-2 py-1 text-xs text-zinc-500 hover:text-zinc-800"
        >
          Show {Math.min(SHOWN_MORE, chats.length - shown.length)} more
        </button>
      ) : null}
    </section>
  )
}
