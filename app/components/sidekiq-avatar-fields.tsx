import type { SidekiqAvatar as Avatar } from '../../shared/doc'
import type { FieldErrors } from '../../shared/errors'
import { Field, Input } from './ui'

/** The colours offered for an initials avatar; any other can be picked too. */
export const AVATAR_COLORS = [
  '#4f46e5',
  '#0891b2',
  '#059669',
  '#65a30d',
  '#d97706',
  '#dc2626',
  '#db2777',
  '#7c3aed',
  '#52525b',
]

/** The avatar part of the sidekiq form: an emoji, or initials on a colour. */
export function AvatarFields(props: {
  kind: Avatar['kind']
  onKind: (kind: Avatar['kind']) => void
  emoji: string
  onEmoji: (value: string) => void
  initials: string
  initialsPlaceholder: string
  onInitials: (value: string) => void
  color: string
  onColor: (value: string) => void
  fields: FieldErrors
}) {
  const { kind, fields } = props
  return (
    <fieldset>
      <legend className="mb-1 block text-sm font-medium text-zinc-700">Avatar</legend>
      <div className="flex gap-4 text-sm text-zinc-700">
        <label className="flex items-center gap-1.5">
          <input type="radio" name="avatar-kind" checked={kind === 'emoji'} onChange={() => props.onKind('emoji')} />
          Use an emoji
        </label>
        <label className="flex items-center gap-1.5">
          <input
            type="radio"
            name="avatar-kind"
            checked={kind === 'initials'}
            onChange={() => props.onKind('initials')}
          />
          Use initials
        </label>
      </div>
      <div className="mt-2">
        {kind === 'emoji' ? (
          <Field label="Emoji" error={fields['avatar.value']}>
            <Input value={props.emoji} onChange={(e) => props.onEmoji(e.target.value)} className="w-24" />
          </Field>
        ) : (
          <div className="flex flex-wrap items-end gap-4">
            <Field label="Initials" error={fields['avatar.value']}>
              <Input
                value={props.initials}
                placeholder={props.initialsPlaceholder}
                maxLength={3}
                onChange={(e) => props.onInitials(e.target.value)}
                className="w-24"
              />
            </Field>
            <div>
              <span className="mb-1 block text-sm font-medium text-zinc-700">Colour</span>
              <div className="flex items-center gap-1.5">
                {AVATAR_COLORS.map((c) => (
                  <button
                    key={c}
                    type="button"
                    aria-label={`Colour ${c}`}
                    aria-pressed={props.color === c}
                    onClick={() => props.onColor(c)}
                    className={`h-6 w-6 rounded-full ${props.color === c ? 'ring-2 ring-zinc-900 ring-offset-2' : ''}`}
                    style={{ backgroundColor: c }}
                  />
                ))}
                <input
                  type="color"
                  aria-label="Custom colour"
                  value={props.color}
                  onChange={(e) => props.onColor(e.target.value)}
                  className="h-7 w-9 cursor-pointer rounded border-0 bg-transparent"
                />
              </div>
              {fields['avatar.color'] ? (
                <span role="alert" className="mt-1 block text-sm text-red-600">
                  {fields['avatar.color']}
                </span>
              ) : null}
            </div>
          </div>
        )}
      </div>
    </fieldset>
  )
}
