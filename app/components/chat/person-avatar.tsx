import { presenceColor } from '../../../shared/doc'

/** Up to two initials of a name, or "?" when the name is not known here. */
export function initialsOf(name: string | undefined): string {
  const words = (name ?? '').trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return '?'
  return words
    .slice(0, 2)
    .map((w) => w.charAt(0).toUpperCase())
    .join('')
}

/** A person's round avatar: initials on their presence colour, the same everywhere. */
export function PersonAvatar({ id, name, size = 'md' }: { id: string; name: string | undefined; size?: 'sm' | 'md' }) {
  const px = size === 'sm' ? 'h-6 w-6 text-[10px]' : 'h-8 w-8 text-xs'
  return (
    <span
      className={`inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white ring-2 ring-white ${px}`}
      style={{ backgroundColor: presenceColor(id) }}
      title={name ?? 'Unknown member'}
      aria-hidden="true"
    >
      {initialsOf(name)}
    </span>
  )
}
