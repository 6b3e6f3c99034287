import type { SidekiqAvatar as Avatar } from '../../shared/doc'

const SIZES = {
  sm: 'h-6 w-6 text-xs',
  md: 'h-9 w-9 text-base',
  lg: 'h-14 w-14 text-2xl',
} as const

/** A sidekiq's picture: its emoji, or its initials on its colour. */
export function SidekiqAvatar({ avatar, size = 'md' }: { avatar: Avatar; size?: keyof typeof SIZES }) {
  const box = `inline-flex shrink-0 items-center justify-center rounded-full font-semibold select-none ${SIZES[size]}`
  if (avatar.kind === 'emoji') {
    return (
      <span className={`${box} bg-zinc-100`} aria-hidden="true" data-testid="sidekiq-avatar">
        {avatar.value}
      </span>
    )
  }
  return (
    <span
      className={`${box} text-white`}
      style={{ backgroundColor: avatar.color }}
      aria-hidden="true"
      data-testid="sidekiq-avatar"
    >
      {/* Shrunk for three letters, so they fit the circle. */}
      <span className={avatar.value.length > 2 ? 'text-[0.7em]' : ''}>{avatar.value.toUpperCase()}</span>
    </span>
  )
}
