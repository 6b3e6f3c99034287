import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import {
  appendMessage,
  chatSidekiqLabel,
  currentClientState,
  editMessageContent,
  getChatMessages,
  getChatSummary,
  newId,
  openChatRoom,
  setChatModel,
  setChatSidekiq,
  type Message,
} from '../../shared/doc'
import { api, errorMessage } from '../lib/api'
import { lastQuestion, threadOf } from '../lib/chat-thread'
import { useOnline } from '../lib/offline/online-only'
import { CHAT_FULL_CODE, CHAT_GONE_CODE } from '../lib/sync/room-closes'
import { useDocValue } from '../lib/sync/use-doc'
import {
  useChatPresence,
  useChatRoom,
  useIndexesSynced,
  useKeptLocation,
  usePendingGenerations,
  useReplicaLoaded,
  useRoomState,
  useWorkspaceReplica,
} from '../lib/sync/workspace-replica-context'
import type { ChatLocation } from '../lib/sync/workspace-replica'
import { useMemberNames } from '../lib/use-member-names'
import { AnswerItem } from './chat/answer-item'
import { ChatNotice } from './chat/chat-notice'
import { ConversationStarters } from './conversation-starters'
import { ModelPicker } from './model-picker'
import { SidekiqPicker } from './sidekiq-picker'
import { Composer } from './chat/composer'
import { PresenceBar, TypingLine } from './chat/presence-bar'
import { QuestionItem } from './chat/question-item'
import { PlainText } from './chat/message-text'

const OPEN = new Set(['pending', 'streaming'])

/**
 * One chat: its entry from the index room that lists it (shared or
 * private), its messages from its own room (decision 021), opened while it
 * is on screen: the people's messages and the AI's answers as they stream
 * in (the server writes them into the room, so every member sees the same).
 * Asking writes the question into the chat's room, then asks the server for
 * the answer through the workspace's queue, which holds the request while
 * offline.
 */
export function ChatView({
  workspaceId,
  chatId,
  located,
  userId,
  canWrite: mayWrite,
}: {
  workspaceId: string
  chatId: string
  /** Where the server saw the chat when it rendered the page, if it did. */
  located: Pick<ChatLocation, 'index' | 'summary'> | null
  userId: string
  canWrite: boolean
}) {
  const replica = useWorkspaceReplica()
  const loaded = useReplicaLoaded(replica)
  const online = useOnline()
  const inShared = useDocValue(replica?.shared.doc ?? null, (d) => getChatSummary(d, chatId), null, chatId)
  const inPrivate = useDocValue(replica?.private.doc ?? null, (d) => getChatSummary(d, chatId), null, chatId)
  // Where the server or this device last saw the chat: its room opens before the indexes have decoded,
  // and a chat they do not list yet stays shown until they have heard from the server (a new device's
  // indexes load empty, then sync).
  const kept = useKeptLocation(replica, chatId)
  const indexesSynced = useIndexesSynced(replica)
  const early = loaded && indexesSynced ? null : (located ?? kept)
  const summary = inShared ?? inPrivate ?? early?.summary ?? null
  const kind = inShared ? 'shared' : inPrivate ? 'private' : (early?.index ?? null)
  const isShared = kind === 'shared'
  const index = replica && kind ? replica.index(kind) : null
  const room = useChatRoom(replica, kind, chatId)
  const roomState = useRoomState(replica, room)
  const inRoom = useDocValue(room?.doc ?? null, (d) => getChatMessages(d, chatId), null, chatId)
  // A chat still in the old layout (a device copy not converted yet) has its messages beside its entry.
  const inIndex = useDocValue(index?.doc ?? null, (d) => getChatMessages(d, chatId), null, chatId)
  const presence = useChatPresence(isShared ? room : null)
  const pending = usePendingGenerations()
  const names = useMemberNames(workspaceId, userId)
  const [error, setError] = useState<string | null>(null)
  // A room not marked as this chat's yet holds none of it: an empty chat once the server has answered.
  const messages = inRoom ?? inIndex ?? (roomState.synced ? EMPTY : null)
  const full = roomState.closedWith?.code === CHAT_FULL_CODE
  const gone = roomState.closedWith?.code === CHAT_GONE_CODE
  const canWrite = mayWrite && !!room && roomState.loaded && messages !== null && !full && !gone
  const entries = useMemo(() => threadOf(messages ?? EMPTY), [messages])
  // Sidekiqs live in the shared room, whichever room lists the chat.
  const sidekiq = useDocValue(
    replica?.shared.doc ?? null,
    (d) => (summary ? chatSidekiqLabel(d, summary) : null),
    null,
    `${summary?.sidekiqId}:${summary?.sidekiqName}`,
  )

  // Tell the others in the chat's room (and the workspace) that it is open here; nothing once it is closed.
  useEffect(() => {
    if (!replica || !room || !isShared) return
    replica.setPresence({ chatId, typing: false })
    replica.setChatPresence(room, chatId, false)
    return () => {
      replica.setPresence({ chatId: null, typing: false })
      // The room may stay open a moment among the recently shown: leave it now.
      if (!room.isDestroyed) room.remote.awareness.setLocalState(null)
    }
  }, [replica, room, chatId, isShared])

  useEffect(() => {
    if (!replica) return
    return replica.onGenerationRefused(({ generation, error: refusal }) => {
      if (generation.chatId === chatId) setError(refusal.message)
    })
  }, [replica, chatId])

  const end = useRef<HTMLDivElement>(null)
  const lastContentLength = messages?.at(-1)?.content.length ?? 0
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' })
  }, [messages?.length, lastContentLength])

  if (!replica) return <p className="p-6 text-sm text-zinc-500">Opening the workspace…</p>
  if (!summary) {
    return loaded ? (
      <ChatNotice testId="chat-missing">
        This chat is not here (yet): it may still be syncing, or it was deleted.
      </ChatNotice>
    ) : (
      <ChatNotice testId="chat-opening">Opening the chat…</ChatNotice>
    )
  }
  if (!room || !messages) {
    // Offline, a chat whose room this device did not keep has nothing to show until the connection is back.
    if (room && roomState.loaded && loaded && !online) {
      return (
        <ChatNotice testId="chat-not-on-device">
          This chat is not on this device. It opens once you are back online.
        </ChatNotice>
      )
    }
    return <ChatNotice testId="chat-opening">Opening the chat…</ChatNotice>
  }
  const chat = { ...summary, messages }
  const here = isShared ? presence.filter((p) => p.chatId === chatId) : []
  const typing = here.filter((p) => p.typing && p.id !== userId)
  const waiting = new Set(pending.filter((g) => g.chatId === chatId).map((g) => g.messageId))
  const answering = chat.messages.some((m) => m.role === 'assistant' && OPEN.has(m.status))
  const latest = lastQuestion(entries)
  // Written in the old layout only while the chat is still there on this device and its room holds none of it.
  const legacy = inRoom === null && inIndex !== null && index !== null
  const target = legacy ? index.doc : room.doc

  const requestAnswer = (question: Message) => {
    setError(null)
    void replica.generations.enqueue({
      room: room.name,
      chatId,
      messageId: question.id,
      generationId: newId(),
      // The server waits for this client's edits of the chat's room; an old-layout write reaches it converted.
      ...(legacy ? {} : { after: currentClientState(room.doc) }),
    })
  }
  const ask = (content: string) => {
    try {
      if (!legacy) openChatRoom(room.doc, chatId)
      requestAnswer(appendMessage(target, chatId, { role: 'user', authorId: userId, content }))
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const editAndResend = (question: Message, content: string) => {
    try {
      requestAnswer(editMessageContent(target, chatId, question.id, content))
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const stop = async (message: Message) => {
    try {
      await api(`/api/workspaces/${workspaceId}/generate/${message.id}/stop`, { room: room.name, chatId })
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const metadataDoc = index?.doc ?? null

  return (
    <div className="mx-auto flex h-full max-w-3xl flex-col px-4 py-6 sm:px-6">
      <header className="flex flex-wrap items-center gap-3">
        <h1 className="min-w-0 flex-1 truncate text-lg font-semibold text-zinc-900" data-testid="chat-title">
          {chat.title || 'New chat'}
        </h1>
        {isShared ? <PresenceBar people={here} /> : <span className="text-xs text-zinc-500">Private</span>}
      </header>
      <div className="mt-2 flex flex-wrap items-center gap-2 text-sm" data-testid="chat-settings">
        {chat.messages.length === 0 && canWrite ? (
          <SidekiqPicker
            value={chat.sidekiqId ?? null}
            deletedName={chat.sidekiqName}
            onChange={(_id, picked) => {
              if (metadataDoc) setChatSidekiq(metadataDoc, chatId, picked ? { id: picked.id, name: picked.name } : null)
            }}
          />
        ) : sidekiq ? (
          <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs text-zinc-700" data-testid="chat-sidekiq">
            {sidekiq.deleted ? `${sidekiq.name} (deleted)` : sidekiq.name}
          </span>
        ) : null}
        <ModelPicker
          workspaceId={workspaceId}
          value={chat.model ?? null}
          allowDefault
          defaultModel={sidekiq?.sidekiq?.model}
          disabled={!canWrite}
          onChange={(model) => {
            if (metadataDoc) setChatModel(metadataDoc, chatId, model)
          }}
        />
      </div>
      {chat.messages.length === 0 ? (
        sidekiq?.sidekiq && sidekiq.sidekiq.conversationStarters.length > 0 ? (
          <div className="mt-6">
            <ConversationStarters sidekiq={sidekiq.sidekiq} onPick={ask} disabled={!canWrite} />
          </div>
        ) : (
          <p className="mt-10 text-center text-sm text-zinc-500" data-testid="empty-chat">
            {isShared
              ? 'Ask anything. Everyone in the workspace sees the answer arrive.'
              : 'Ask anything. Only you can see this chat.'}
          </p>
        )
      ) : null}
      <ol className="mt-4 flex-1 space-y-4" data-testid="messages" aria-live="polite">
        {entries.map((entry) =>
          entry.kind === 'question' ? (
            <QuestionGroup key={entry.message.id}>
              <QuestionItem
                message={entry.message}
                authorName={names.get(entry.message.authorId)}
                mine={entry.message.authorId === userId}
                showAuthor={isShared}
                canEdit={canWrite && entry.message.authorId === userId && !answering}
                waiting={waiting.has(entry.message.id)}
                onEditAndResend={(content) => editAndResend(entry.message, content)}
              />
              {entry.answers.length > 0 ? (
                <AnswerItem
                  versions={entry.answers}
                  canWrite={canWrite}
                  onStop={(m) => void stop(m)}
                  onRegenerate={
                    entry.message.id === latest?.id && !answering ? () => requestAnswer(entry.message) : null
                  }
                />
              ) : null}
            </QuestionGroup>
          ) : (
            <li key={entry.message.id} data-testid="message" data-role={entry.message.role} className="text-sm">
              <PlainText text={entry.message.content} />
            </li>
          ),
        )}
      </ol>
      <div ref={end} />
      {full ? (
        <p
          className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800"
          role="alert"
          data-testid="chat-full"
        >
          This chat is full: it has reached the size limit, and what is written here no longer reaches the others. Start
          a new chat to go on; your other chats work as before. What you typed stays in the box below.
        </p>
      ) : null}
      {gone ? (
        <p className="mt-3 rounded-md bg-zinc-100 px-3 py-2 text-sm text-zinc-700" role="alert" data-testid="chat-gone">
          This chat is no longer available here: it was deleted or moved.
        </p>
      ) : null}
      {error ? (
        <p className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      <TypingLine people={typing} />
      {mayWrite ? (
        // A full chat keeps what was typed: sending is off, the draft stays.
        <Composer
          disabled={answering || !canWrite}
          onSend={ask}
          onTyping={(t) => (isShared && !full ? replica.setChatPresence(room, chatId, t) : undefined)}
        />
      ) : (
        <p className="mt-4 text-sm text-zinc-500">Viewers read chats; they do not write in them.</p>
      )}
    </div>
  )
}

const EMPTY: readonly Message[] = []

/** A question and its answer, as one item of the conversation's list. */
function QuestionGroup({ children }: { children: ReactNode }) {
  return (
    <li className="list-none">
      <ol className="space-y-4">{children}</ol>
    </li>
  )
}
