import { Link } from '@tanstack/react-router'
import { useState, type FormEvent } from 'react'
import { slugify } from '../../shared/schemas/workspace'
import { api } from '../lib/api'
import { ImportWorkspaceForm } from './import-workspace-form'
import { Button, CenteredPage, Field, Input, Notice } from './ui'
import { useAction } from './use-action'

/** Name a workspace (the slug follows the name until edited by hand), or import one from a file. */
export function CreateWorkspaceForm() {
  const [name, setName] = useState('')
  const [slug, setSlug] = useState('')
  const [slugTouched, setSlugTouched] = useState(false)
  const create = useAction(async () => {
    const ws = await api<{ slug: string }>('/api/auth/organization/create', { name, slug })
    window.location.assign(`/w/${ws.slug}`)
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    void create.run()
  }
  return (
    <CenteredPage title="Create a workspace" subtitle="Chats, sidekiqs, members and billing of its own.">
      <form onSubmit={onSubmit} className="space-y-4 rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200" noValidate>
        {create.error && !Object.keys(create.fields).length ? <Notice tone="error">{create.error}</Notice> : null}
        <Field label="Workspace name" error={create.fields.name}>
          <Input
            name="workspace-name"
            placeholder="Acme"
            value={name}
            onChange={(e) => {
              setName(e.target.value)
              if (!slugTouched) setSlug(e.target.value.trim() ? slugify(e.target.value) : '')
            }}
            autoFocus
          />
        </Field>
        <Field
          label="URL slug"
          error={create.fields.slug}
          hint={slug ? `/w/${slug}` : 'Lowercase letters, digits and hyphens'}
        >
          <Input
            name="workspace-slug"
            value={slug}
            onChange={(e) => {
              setSlugTouched(true)
              setSlug(e.target.value.toLowerCase())
            }}
          />
        </Field>
        <Button type="submit" className="w-full" disabled={create.pending}>
          {create.pending ? 'Creating…' : 'Create workspace'}
        </Button>
      </form>
      <p className="my-4 text-center text-xs tracking-wide text-zinc-400 uppercase">or</p>
      <ImportWorkspaceForm />
      <Link to="/" className="mt-4 block text-center text-sm text-zinc-600 hover:underline">
        Cancel
      </Link>
    </CenteredPage>
  )
}
