import type { PresentPerson } from '../../../shared/doc'
import { PersonAvatar } from './person-avatar'

/** Who has this chat open right now, the viewer included. */
export function PresenceBar({ people }: { people: readonly PresentPerson[] }) {
  if (people.length === 0) return null
  const names = people.map((p) => p.name).join(', ')
  return (
    <div className="flex items-center gap-2" data-testid="presence" aria-label={`Here now: ${names}`}>
      <div className="flex -space-x-2">
        {people.slice(0, 5).map((p) => (
          <span key={p.id} data-testid="present-person" data-name={p.name}>
            <PersonAvatar id={p.id} name={p.name} size="sm" />
          </span>
        ))}
      </div>
      {people.length > 5 ? <span className="text-xs text-zinc-500">+{people.length - 5}</span> : null}
    </div>
  )
}

/** "Ben is typing…" for the others typing in this chat. */
export function TypingLine({ people }: { people: readonly PresentPerson[] }) {
  const text =
    people.length === 0
      ? ''
      : people.length === 1
        ? `${people[0].name} is typing…`
        : people.length === 2
          ? `${people[0].name} and ${people[1].name} are typing…`
          : 'Several people are typing…'
  return (
    <p className="h-5 text-xs text-zinc-500" data-testid="typing" aria-live="polite">
      {text}
    </p>
  )
}
