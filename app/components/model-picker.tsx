import { useEffect, useId } from 'react'
import type { ModelEntry } from '../../shared/models'
import { findModel } from '../../shared/models'
import { Select } from './ui'
import { useApiData } from './use-api-data'

interface ModelsAnswer {
  models: ModelEntry[]
  defaults: { member: string | null; workspace: string | null }
}

export interface ModelPickerProps {
  workspaceId: string
  /** The chosen catalog id; `null` for "use the default". */
  value: string | null
  onChange: (model: string | null) => void
  /**
   * Offer "Default" (`null`): a chat falls back to its sidekiq's model and
   * the member's and workspace's defaults. Without it, a `null` value is
   * replaced by the preferred model as soon as the list has loaded.
   */
  allowDefault?: boolean
  /**
   * What "Default" comes to, when the caller knows better than the member's
   * and workspace's defaults (a chat's sidekiq's model); only labels the option.
   */
  defaultModel?: string | null
  label?: string
  disabled?: boolean
}

/**
 * A select of the models this workspace may use, as the server lists them
 * (those whose provider is configured), loaded once per mount.
 */
export function ModelPicker({
  workspaceId,
  value,
  onChange,
  allowDefault = false,
  defaultModel,
  label,
  disabled,
}: ModelPickerProps) {
  const id = useId()
  const { data, error } = useApiData<ModelsAnswer>(`/api/workspaces/${workspaceId}/models`)
  const models = data?.models ?? []
  const preferred = data ? preferredModel(data) : null

  useEffect(() => {
    if (!allowDefault && value === null && preferred) onChange(preferred)
  }, [allowDefault, value, preferred, onChange])

  // A chosen model the server no longer offers stays visible as what it is, rather than silently showing another.
  const missing = value !== null && data && !models.some((m) => m.id === value)
  const shownDefault = defaultModel ?? preferred
  const defaultLabel = shownDefault ? `Default (${labelOf(shownDefault, models)})` : 'Default'
  return (
    <div>
      {label ? (
        <label htmlFor={id} className="mb-1 block text-sm font-medium text-zinc-700">
          {label}
        </label>
      ) : null}
      <Select
        id={id}
        aria-label={label ? undefined : 'Model'}
        data-testid="model-picker"
        value={value ?? ''}
        disabled={disabled || !data}
        onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
      >
        {!data ? <option value={value ?? ''}>{error ? 'Models could not be loaded' : 'Loading models…'}</option> : null}
        {data && (allowDefault || value === null) ? (
          <option value="">{allowDefault ? defaultLabel : 'Choose a model'}</option>
        ) : null}
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {m.label}
          </option>
        ))}
        {missing ? <option value={value}>{labelOf(value, models)} (not available here)</option> : null}
      </Select>
      {error ? (
        <span role="alert" className="mt-1 block text-sm text-red-600">
          {error}
        </span>
      ) : null}
    </div>
  )
}

/** The model a chat gets with no choice of its own: the member's default, the workspace's, else the first offered. */
function preferredModel({ models, defaults }: ModelsAnswer): string | null {
  for (const id of [defaults.member, defaults.workspace]) {
    if (id && models.some((m) => m.id === id)) return id
  }
  return models[0]?.id ?? null
}

function labelOf(id: string, models: readonly ModelEntry[]): string {
  return models.find((m) => m.id === id)?.label ?? findModel(id)?.label ?? id
}
