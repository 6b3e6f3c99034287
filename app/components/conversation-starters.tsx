import type { Sidekiq } from '../../shared/doc'
import { SidekiqAvatar } from './sidekiq-avatar'

/**
 * What an empty chat with a sidekiq shows: who it is, and its conversation
 * starters as buttons that hand their text to `onPick`.
 */
export function ConversationStarters({
  sidekiq,
  onPick,
  disabled,
}: {
  sidekiq: Sidekiq
  onPick: (text: string) => void
  disabled?: boolean
}) {
  return (
    <section className="flex flex-col items-center py-8 text-center" data-testid="conversation-starters">
      <SidekiqAvatar avatar={sidekiq.avatar} size="lg" />
      <h2 className="mt-3 text-lg font-semibold text-zinc-900">{sidekiq.name}</h2>
      {sidekiq.description ? <p className="mt-1 max-w-md text-sm text-zinc-500">{sidekiq.description}</p> : null}
      {sidekiq.conversationStarters.length ? (
        <ul className="mt-6 grid w-full max-w-xl gap-2 sm:grid-cols-2">
          {sidekiq.conversationStarters.map((text, i) => (
            <li key={i}>
              <button
                type="button"
                disabled={disabled}
                onClick={() => onPick(text)}
                className="h-full w-full rounded-xl px-4 py-3 text-left text-sm text-zinc-700 ring-1 ring-zinc-200 hover:bg-zinc-50 disabled:cursor-not-allowed disabled:opacity-50"
              >
                {text}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
