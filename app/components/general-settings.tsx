import { useRouter } from '@tanstack/react-router'
import { useState, type FormEvent } from 'react'
import { can } from '../../shared/capabilities'
import type { WorkspaceRole } from '../../shared/roles'
import { api } from '../lib/api'
import { DownloadLink } from './download-link'
import { Button, Card, Field, Input, Notice } from './ui'
import { useAction } from './use-action'

interface Props {
  workspace: { id: string; name: string; slug: string; isPersonal: boolean }
  role: WorkspaceRole
}

/** Name and slug, the export (owner), and the ways out: leave (members) or delete (owner). */
export function GeneralSettings({ workspace, role }: Props) {
  const router = useRouter()
  const [name, setName] = useState(workspace.name)
  const [slug, setSlug] = useState(workspace.slug)
  const [saved, setSaved] = useState(false)
  const editable = can(role, 'workspace:update')
  const save = useAction(async () => {
    setSaved(false)
    const data: { name?: string; slug?: string } = {}
    if (name !== workspace.name) data.name = name
    if (slug !== workspace.slug) data.slug = slug
    if (!Object.keys(data).length) return
    await api('/api/auth/organization/update', { organizationId: workspace.id, data })
    setSaved(true)
    if (data.slug) await router.navigate({ to: '/w/$workspaceSlug/settings', params: { workspaceSlug: data.slug } })
    else await router.invalidate()
  })
  const remove = useAction(async () => {
    await api('/api/auth/organization/delete', { organizationId: workspace.id })
    window.location.assign('/')
  })
  const leave = useAction(async () => {
    await api('/api/auth/organization/leave', { organizationId: workspace.id })
    window.location.assign('/')
  })
  const onSave = (e: FormEvent) => {
    e.preventDefault()
    void save.run()
  }
  return (
    <>
      <Card
        title="Workspace"
        description={
          editable
            ? 'The name members see and the address of the workspace.'
            : 'Only owners and admins can change these.'
        }
      >
        <form onSubmit={onSave} className="space-y-4" noValidate>
          {save.error && !Object.keys(save.fields).length ? <Notice tone="error">{save.error}</Notice> : null}
          {saved ? <Notice tone="success">Saved.</Notice> : null}
          <Field label="Name" error={save.fields['data.name']}>
            <Input name="name" value={name} onChange={(e) => setName(e.target.value)} disabled={!editable} />
          </Field>
          <Field label="URL slug" error={save.fields['data.slug']} hint={`/w/${slug}`}>
            <Input
              name="slug"
              value={slug}
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
              disabled={!editable}
            />
          </Field>
          {editable ? (
            <Button type="submit" disabled={save.pending}>
              {save.pending ? 'Saving…' : 'Save'}
            </Button>
          ) : null}
        </form>
      </Card>
      {can(role, 'workspace:export') ? (
        <Card
          title="Export workspace"
          description="One JSON file with the settings, the members list, the sidekiqs, the shared chats and your own private chats (never anyone else’s). Import it on the new-workspace page to make a copy."
        >
          <DownloadLink href={`/api/workspaces/${encodeURIComponent(workspace.id)}/export`}>
            Export workspace
          </DownloadLink>
        </Card>
      ) : null}
      {workspace.isPersonal ? (
        <Card
          title="Personal workspace"
          description="Your personal workspace is yours alone: it cannot be shared, left or deleted."
        >
          <p className="text-sm text-zinc-600">Create a workspace to work with others.</p>
        </Card>
      ) : can(role, 'workspace:delete') ? (
        <Card
          title="Delete workspace"
          description="Deletes the workspace and everything in it for every member. This cannot be undone."
        >
          {remove.error ? <Notice tone="error">{remove.error}</Notice> : null}
          <Button
            variant="danger"
            disabled={remove.pending}
            onClick={() => {
              if (window.confirm(`Delete ${workspace.name} and everything in it?`)) void remove.run()
            }}
          >
            Delete workspace
          </Button>
        </Card>
      ) : (
        <Card title="Leave workspace" description="You lose access at once; an admin can invite you again.">
          {leave.error ? <Notice tone="error">{leave.error}</Notice> : null}
          <Button
            variant="danger"
            disabled={leave.pending}
            onClick={() => {
              if (window.confirm(`Leave ${workspace.name}?`)) void leave.run()
            }}
          >
            Leave workspace
          </Button>
        </Card>
      )}
    </>
  )
}
