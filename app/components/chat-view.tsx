import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import {
  appendMessage,
  chatSidekiqLabel,
  currentClientState,
  editMessageContent,
  getChat,
  newId,
  setChatModel,
  setChatSidekiq,
  type Chat,
  type Message,
} from '../../shared/doc'
import { api, errorMessage } from '../lib/api'
import { lastQuestion, threadOf } from '../lib/chat-thread'
import { useDocValue } from '../lib/sync/use-doc'
import {
  usePendingGenerations,
  usePresence,
  useKeptChat,
  useReplicaLoaded,
  useWorkspaceReplica,
} from '../lib/sync/workspace-replica-context'
import { useMemberNames } from '../lib/use-member-names'
import { AnswerItem } from './chat/answer-item'
import { ConversationStarters } from './conversation-starters'
import { ModelPicker } from './model-picker'
import { SidekiqPicker } from './sidekiq-picker'
import { Composer } from './chat/composer'
import { PresenceBar, TypingLine } from './chat/presence-bar'
import { QuestionItem } from './chat/question-item'
import { PlainText } from './chat/message-text'

const OPEN = new Set(['pending', 'streaming'])

/**
 * One chat, read live from whichever of the workspace's rooms holds it: the
 * people's messages and the AI's answers as they stream in (the server
 * writes them into the room, so every member sees the same). Asking writes
 * the question into the room, then asks the server for the answer through
 * the workspace's queue, which holds the request while offline.
 */
export function ChatView({
  workspaceId,
  chatId,
  userId,
  canWrite: mayWrite,
}: {
  workspaceId: string
  chatId: string
  userId: string
  canWrite: boolean
}) {
  const replica = useWorkspaceReplica()
  const loaded = useReplicaLoaded(replica)
  const inShared = useDocValue(replica?.shared.doc ?? null, (d) => getChat(d, chatId), null)
  const inPrivate = useDocValue(replica?.private.doc ?? null, (d) => getChat(d, chatId), null)
  const presence = usePresence()
  const pending = usePendingGenerations()
  const names = useMemberNames(workspaceId, userId)
  const [error, setError] = useState<string | null>(null)
  // Until the rooms have loaded, the chat as this device kept it when it was last open: read only.
  const kept = useKeptChat(replica, chatId)
  const live = inShared ?? inPrivate
  const shown = live ? null : loaded ? null : kept
  const chat: Chat | null = live ?? shown?.chat ?? null
  const room = inShared ? replica?.shared : inPrivate ? replica?.private : shown?.room
  const isShared = inShared ? true : !!shown && shown.room === replica?.shared
  const canWrite = mayWrite && !!live
  const entries = useMemo(() => threadOf(chat?.messages ?? []), [chat?.messages])
  // Sidekiqs live in the shared room, whichever room holds the chat.
  const sidekiq = useDocValue(
    replica?.shared.doc ?? null,
    (d) => (chat ? chatSidekiqLabel(d, chat) : null),
    null,
    `${chat?.sidekiqId}:${chat?.sidekiqName}`,
  )

  // The open chat is kept on the device with its messages, to show at once next time.
  useEffect(() => replica?.keepOpenChat(chatId), [replica, chatId])

  // Tell the others which chat is open here; nothing once it is closed.
  useEffect(() => {
    if (!replica || !isShared) return
    replica.setPresence({ chatId, typing: false })
    return () => replica.setPresence({ chatId: null, typing: false })
  }, [replica, chatId, isShared])

  useEffect(() => {
    if (!replica) return
    return replica.onGenerationRefused(({ generation, error: refusal }) => {
      if (generation.chatId === chatId) setError(refusal.message)
    })
  }, [replica, chatId])

  const end = useRef<HTMLDivElement>(null)
  const lastContentLength = chat?.messages.at(-1)?.content.length ?? 0
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' })
  }, [chat?.messages.length, lastContentLength])

  if (!replica) return <p className="p-6 text-sm text-zinc-500">Opening the workspace…</p>
  if ((!chat || !room) && !loaded) {
    return (
      <p className="p-6 text-sm text-zinc-500" role="status">
        Opening the chat…
      </p>
    )
  }
  if (!chat || !room) {
    return (
      <p className="p-6 text-sm text-zinc-500" role="status">
        This chat is not here (yet): it may still be syncing, or it was deleted.
      </p>
    )
  }
  const here = isShared ? presence.filter((p) => p.chatId === chatId) : []
  const typing = here.filter((p) => p.typing && p.id !== userId)
  const waiting = new Set(pending.filter((g) => g.chatId === chatId).map((g) => g.messageId))
  const answering = chat.messages.some((m) => m.role === 'assistant' && OPEN.has(m.status))
  const latest = lastQuestion(entries)

  const requestAnswer = (question: Message) => {
    setError(null)
    void replica.generations.enqueue({
      room: room.name,
      chatId,
      messageId: question.id,
      generationId: newId(),
      after: currentClientState(room.doc),
    })
  }
  const ask = (content: string) => {
    try {
      requestAnswer(appendMessage(room.doc, chatId, { role: 'user', authorId: userId, content }))
    } catch (e) {
      setError(errorMessage(e))
    }
  }
  const editAndResend = (question: Message, content: string) => {
    try {
      requestAnswer(editMessageContent(room.doc, chatId, question.id, content))
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
            onChange={(_id, picked) =>
              setChatSidekiq(room.doc, chatId, picked ? { id: picked.id, name: picked.name } : null)
            }
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
          onChange={(model) => setChatModel(room.doc, chatId, model)}
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
      {error ? (
        <p className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      <TypingLine people={typing} />
      {mayWrite ? (
        // Shown from the device's copy until the room loads: one can start typing, and send once it has.
        <Composer
          disabled={answering || !live}
          onSend={ask}
          onTyping={(t) => (isShared ? replica.setPresence({ typing: t }) : undefined)}
        />
      ) : (
        <p className="mt-4 text-sm text-zinc-500">Viewers read chats; they do not write in them.</p>
      )}
    </div>
  )
}

/** A question and its answer, as one item of the conversation's list. */
function QuestionGroup({ children }: { children: ReactNode }) {
  return (
    <li className="list-none">
      <ol className="space-y-4">{children}</ol>
    </li>
  )
}
