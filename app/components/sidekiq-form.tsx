import { useState, type FormEvent } from 'react'
import {
  createSidekiq,
  createSidekiqInput,
  MAX_CONVERSATION_STARTERS,
  setSidekiqInstructions,
  updateSidekiq,
  type Sidekiq,
  type SidekiqAvatar as Avatar,
  type UpdateSidekiqInput,
} from '../../shared/doc'
import { AppError, type FieldErrors } from '../../shared/errors'
import { fieldErrors } from '../../shared/validation'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { AVATAR_COLORS, AvatarFields } from './sidekiq-avatar-fields'
import { ModelPicker } from './model-picker'
import { SidekiqAvatar } from './sidekiq-avatar'
import { Button, Card, Field, Input, Notice } from './ui'

const TEXTAREA =
  'block w-full rounded-md border-0 bg-white px-3 py-2 text-sm text-zinc-900 ring-1 ring-zinc-300 placeholder:text-zinc-400 focus:ring-2 focus:ring-indigo-500 focus:outline-none disabled:bg-zinc-50'

export interface SidekiqFormProps {
  workspaceId: string
  userId: string
  /** The sidekiq to edit; absent to create one. */
  sidekiq?: Sidekiq
  /** Shows the sidekiq without letting it be changed (a member looking at someone else's). */
  readOnly?: boolean
  onSaved: (sidekiq: Sidekiq) => void
  onCancel?: () => void
}

/** First letters of the first two words: "Code Reviewer" -> "CR", "Ben’s helper" -> "BH". */
function initialsOf(name: string): string {
  const letters = name
    .split(/\s+/)
    .map((word) => word.match(/[\p{L}\p{N}]/u)?.[0])
    .filter(Boolean)
    .slice(0, 2)
    .join('')
  return letters.toUpperCase() || 'AI'
}

/**
 * Creates or edits a sidekiq in the workspace's shared room. The whole form
 * is checked against the doc's input schema before anything is written, so
 * every field's problem shows at once; an edit writes only the fields that
 * changed, so a colleague's concurrent edit of another field survives.
 */
export function SidekiqForm({
  workspaceId,
  userId,
  sidekiq: shown,
  readOnly = false,
  onSaved,
  onCancel,
}: SidekiqFormProps) {
  const replica = useWorkspaceReplica()
  // What the form opened with: the edit is diffed against it, not against the live sidekiq, so a field a colleague changed meanwhile and this form did not touch keeps their change.
  const [sidekiq] = useState(shown)
  const [name, setName] = useState(sidekiq?.name ?? '')
  const [description, setDescription] = useState(sidekiq?.description ?? '')
  const [instructions, setInstructions] = useState(sidekiq?.instructions ?? '')
  const [starters, setStarters] = useState<string[]>([...(sidekiq?.conversationStarters ?? [])])
  const [model, setModel] = useState<string | null>(sidekiq?.model ?? null)
  const [avatarKind, setAvatarKind] = useState<Avatar['kind']>(sidekiq?.avatar.kind ?? 'emoji')
  const [emoji, setEmoji] = useState(sidekiq?.avatar.kind === 'emoji' ? sidekiq.avatar.value : '🤖')
  const [initials, setInitials] = useState(sidekiq?.avatar.kind === 'initials' ? sidekiq.avatar.value : '')
  const [color, setColor] = useState(sidekiq?.avatar.kind === 'initials' ? sidekiq.avatar.color : AVATAR_COLORS[0])
  const [fields, setFields] = useState<FieldErrors>({})
  const [error, setError] = useState<string | null>(null)

  const avatar: Avatar =
    avatarKind === 'emoji'
      ? { kind: 'emoji', value: emoji }
      : { kind: 'initials', value: initials || initialsOf(name), color }

  const save = (e: FormEvent) => {
    e.preventDefault()
    if (!replica || readOnly) return
    setError(null)
    const checked = createSidekiqInput.safeParse({
      name,
      description,
      instructions,
      conversationStarters: starters,
      model: model ?? '',
      avatar,
      createdBy: userId,
    })
    if (!checked.success) {
      setFields(fieldErrors(checked.error))
      setError('Please fix the fields marked below.')
      return
    }
    setFields({})
    const v = checked.data
    const doc = replica.shared.doc
    try {
      if (!sidekiq) {
        onSaved(createSidekiq(doc, { ...v, favorite: false }))
        return
      }
      const patch: UpdateSidekiqInput = {}
      if (v.name !== sidekiq.name) patch.name = v.name
      if (v.description !== sidekiq.description) patch.description = v.description
      if (v.model !== sidekiq.model) patch.model = v.model
      if (JSON.stringify(v.conversationStarters) !== JSON.stringify(sidekiq.conversationStarters)) {
        patch.conversationStarters = v.conversationStarters
      }
      if (JSON.stringify(v.avatar) !== JSON.stringify(sidekiq.avatar)) patch.avatar = v.avatar
      // The patch first: it is what can be refused (a taken name), and then nothing is written.
      let saved = Object.keys(patch).length ? updateSidekiq(doc, sidekiq.id, patch) : sidekiq
      if (v.instructions !== sidekiq.instructions) saved = setSidekiqInstructions(doc, sidekiq.id, v.instructions)
      onSaved(saved)
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      setFields(err.fields ?? {})
      setError(
        err.code === 'CONFLICT' && err.fields?.name
          ? `A sidekiq named “${v.name}” already exists in this workspace. Pick another name.`
          : err.code === 'NOT_FOUND'
            ? 'This sidekiq was deleted meanwhile.'
            : err.message,
      )
    }
  }

  const setStarter = (i: number, text: string) => setStarters((all) => all.map((s, j) => (j === i ? text : s)))
  const removeStarter = (i: number) => setStarters((all) => all.filter((_, j) => j !== i))

  return (
    <Card>
      <form onSubmit={save} className="space-y-5" noValidate aria-label={sidekiq ? 'Edit sidekiq' : 'New sidekiq'}>
        {error ? <Notice tone="error">{error}</Notice> : null}
        <fieldset disabled={readOnly || !replica} className="space-y-5">
          <div className="flex items-start gap-4">
            <SidekiqAvatar avatar={avatar} size="lg" />
            <div className="flex-1">
              <Field label="Name" error={fields.name}>
                <Input
                  name="name"
                  value={name}
                  maxLength={80}
                  onChange={(e) => setName(e.target.value)}
                  aria-invalid={!!fields.name}
                />
              </Field>
            </div>
          </div>
          <Field label="Description" error={fields.description} hint="What it helps with, in a sentence.">
            <Input name="description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
          <Field
            label="Instructions"
            error={fields.instructions}
            hint="How it should behave: sent to the model before every conversation."
          >
            <textarea
              name="instructions"
              rows={6}
              value={instructions}
              onChange={(e) => setInstructions(e.target.value)}
              className={TEXTAREA}
            />
          </Field>
          <AvatarFields
            kind={avatarKind}
            onKind={setAvatarKind}
            emoji={emoji}
            onEmoji={setEmoji}
            initials={initials}
            initialsPlaceholder={initialsOf(name)}
            onInitials={setInitials}
            color={color}
            onColor={setColor}
            fields={fields}
          />
          <div>
            <ModelPicker workspaceId={workspaceId} value={model} onChange={setModel} label="Default model" />
            {fields.model ? (
              <span role="alert" className="mt-1 block text-sm text-red-600">
                {model === null ? 'Choose a model' : fields.model}
              </span>
            ) : null}
          </div>
          <div>
            <p className="mb-1 block text-sm font-medium text-zinc-700">Conversation starters</p>
            <p className="mb-2 text-xs text-zinc-500">
              Up to {MAX_CONVERSATION_STARTERS} prompts shown in a new chat with this sidekiq.
            </p>
            <ul className="space-y-2">
              {starters.map((text, i) => (
                <li key={i}>
                  <div className="flex gap-2">
                    <Input
                      aria-label={`Conversation starter ${i + 1}`}
                      value={text}
                      onChange={(e) => setStarter(i, e.target.value)}
                    />
                    {readOnly ? null : (
                      <Button variant="ghost" onClick={() => removeStarter(i)} aria-label={`Remove starter ${i + 1}`}>
                        Remove
                      </Button>
                    )}
                  </div>
                  {fields[`conversationStarters.${i}`] ? (
                    <span role="alert" className="mt-1 block text-sm text-red-600">
                      {fields[`conversationStarters.${i}`]}
                    </span>
                  ) : null}
                </li>
              ))}
            </ul>
            {fields.conversationStarters ? (
              <span role="alert" className="mt-1 block text-sm text-red-600">
                {fields.conversationStarters}
              </span>
            ) : null}
            {readOnly ? null : (
              <Button
                variant="secondary"
                className="mt-2"
                disabled={starters.length >= MAX_CONVERSATION_STARTERS}
                onClick={() => setStarters((all) => [...all, ''])}
              >
                Add starter
              </Button>
            )}
          </div>
        </fieldset>
        <div className="flex gap-2">
          {readOnly ? null : (
            <Button type="submit" disabled={!replica}>
              {sidekiq ? 'Save' : 'Create sidekiq'}
            </Button>
          )}
          {onCancel ? (
            <Button variant="secondary" onClick={onCancel}>
              {readOnly ? 'Back' : 'Cancel'}
            </Button>
          ) : null}
        </div>
      </form>
    </Card>
  )
}
