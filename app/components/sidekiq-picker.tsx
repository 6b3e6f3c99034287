import { useId } from 'react'
import { listSidekiqs, type Sidekiq } from '../../shared/doc'
import { useDocValue } from '../lib/sync/use-doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { Select } from './ui'

const NO_SIDEKIQS: Sidekiq[] = []

export interface SidekiqPickerProps {
  /** The chosen sidekiq's id; `null` for none. */
  value: string | null
  /** Called with the id and the sidekiq as read now (`null`, `null` for "No sidekiq"). */
  onChange: (sidekiqId: string | null, sidekiq: Sidekiq | null) => void
  label?: string
  disabled?: boolean
  /** The name to show when `value` names a sidekiq that was deleted (a chat's recorded `sidekiqName`). */
  deletedName?: string
}

/**
 * A select of the workspace's sidekiqs, read live from the shared room
 * (favourites first, then by name), with "No sidekiq" first.
 */
export function SidekiqPicker({ value, onChange, label, disabled, deletedName }: SidekiqPickerProps) {
  const id = useId()
  const replica = useWorkspaceReplica()
  const sidekiqs = useDocValue(replica?.shared.doc ?? null, listSidekiqs, NO_SIDEKIQS)
  const missing = value !== null && !!replica && !sidekiqs.some((s) => s.id === value)
  return (
    <div>
      {label ? (
        <label htmlFor={id} className="mb-1 block text-sm font-medium text-zinc-700">
          {label}
        </label>
      ) : null}
      <Select
        id={id}
        aria-label={label ? undefined : 'Sidekiq'}
        data-testid="sidekiq-picker"
        value={value ?? ''}
        disabled={disabled || !replica}
        onChange={(e) => {
          const next = e.target.value || null
          onChange(next, sidekiqs.find((s) => s.id === next) ?? null)
        }}
      >
        <option value="">No sidekiq</option>
        {sidekiqs.map((s) => (
          <option key={s.id} value={s.id}>
            {s.favorite ? '★ ' : ''}
            {s.avatar.kind === 'emoji' ? `${s.avatar.value} ` : ''}
            {s.name}
          </option>
        ))}
        {missing ? <option value={value}>{deletedName ?? 'Sidekiq'} (deleted)</option> : null}
      </Select>
    </div>
  )
}
