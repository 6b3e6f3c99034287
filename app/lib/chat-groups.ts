/** What `groupChats` needs of a chat: whether it is pinned, its last activity, an id to break ties. */
export interface GroupableChat {
  readonly id: string
  readonly pinned: boolean
  readonly updatedAt: number
}

export type ChatGroupKey = 'pinned' | 'today' | 'yesterday' | 'this-week' | 'older'

export interface ChatGroup<T extends GroupableChat> {
  readonly key: ChatGroupKey
  readonly label: string
  readonly chats: T[]
}

const LABELS: Record<ChatGroupKey, string> = {
  pinned: 'Pinned',
  today: 'Today',
  yesterday: 'Yesterday',
  'this-week': 'This week',
  older: 'Older',
}

const ORDER: ChatGroupKey[] = ['pinned', 'today', 'yesterday', 'this-week', 'older']

/**
 * Local midnight `days` days before `now`'s day. Built from calendar fields
 * rather than by subtracting 24 h, so a day that is 23 or 25 hours long
 * (daylight saving) still starts at midnight.
 */
function localMidnight(now: Date, days = 0): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - days).getTime()
}

/**
 * Sorts chats into the sidebar's groups: pinned first, then by last
 * activity in the viewer's local time zone: today, yesterday, earlier this
 * calendar week (weeks start on Monday, as ISO 8601 and most of Europe have
 * it), older. Within a group, most recent first, then by id, so every peer
 * shows the same order. Empty groups are left out. Activity stamped after
 * `now` (another device's clock running ahead) counts as today.
 */
export function groupChats<T extends GroupableChat>(chats: readonly T[], now: Date | number): ChatGroup<T>[] {
  const clock = new Date(now)
  const today = localMidnight(clock)
  const yesterday = localMidnight(clock, 1)
  const daysSinceMonday = (clock.getDay() + 6) % 7
  const weekStart = localMidnight(clock, daysSinceMonday)
  const buckets: Record<ChatGroupKey, T[]> = { pinned: [], today: [], yesterday: [], 'this-week': [], older: [] }
  for (const chat of chats) {
    const key: ChatGroupKey = chat.pinned
      ? 'pinned'
      : chat.updatedAt >= today
        ? 'today'
        : chat.updatedAt >= yesterday
          ? 'yesterday'
          : chat.updatedAt >= weekStart
            ? 'this-week'
            : 'older'
    buckets[key].push(chat)
  }
  return ORDER.filter((key) => buckets[key].length > 0).map((key) => ({
    key,
    label: LABELS[key],
    chats: buckets[key].sort(byActivity),
  }))
}

function byActivity(a: GroupableChat, b: GroupableChat): number {
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** Whether a chat's shown title matches a search: case- and accent-insensitive substring. */
export function titleMatches(title: string, query: string): boolean {
  const q = fold(query.trim())
  return q === '' || fold(title).includes(q)
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
}
