import { z } from 'zod'

/**
 * What a client tells the others in a room through y-protocols awareness:
 * who it is, which chat it has open, and whether it is typing there.
 * Awareness is not stored; a state disappears when its client leaves.
 */
export const presenceState = z.object({
  user: z.object({
    id: z.string().min(1).max(128),
    name: z.string().max(200),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  }),
  /** The chat on screen, or null elsewhere in the workspace. */
  chatId: z.string().max(128).nullable(),
  typing: z.boolean(),
})

export type PresenceState = z.output<typeof presenceState>

/** One person present, once even when they have several tabs open. */
export interface PresentPerson {
  readonly id: string
  readonly name: string
  readonly color: string
  readonly chatId: string | null
  readonly typing: boolean
}

const PALETTE = ['#4f46e5', '#0891b2', '#059669', '#d97706', '#dc2626', '#db2777', '#7c3aed', '#2563eb']

/** A person's colour, the same on every screen (derived from the id, not chosen). */
export function presenceColor(userId: string): string {
  let hash = 0
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0
  return PALETTE[hash % PALETTE.length]
}

/**
 * The people in a room from its awareness states: invalid states (another
 * app version, a hostile client) are skipped; several tabs of one person
 * merge, typing if any tab types, in the chat of the last-listed tab that
 * has one. Sorted by name so every screen lists them alike.
 */
export function readPresence(states: ReadonlyMap<number, unknown>): PresentPerson[] {
  const people = new Map<string, PresentPerson>()
  for (const raw of states.values()) {
    const parsed = presenceState.safeParse(raw)
    if (!parsed.success) continue
    const { user, chatId, typing } = parsed.data
    const seen = people.get(user.id)
    people.set(user.id, {
      id: user.id,
      name: user.name,
      color: user.color,
      chatId: chatId ?? seen?.chatId ?? null,
      typing: typing || (seen?.typing ?? false),
    })
  }
  return [...people.values()].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1))
}
