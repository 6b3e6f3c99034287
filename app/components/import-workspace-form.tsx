import { useState } from 'react'
import { MAX_WORKSPACE_FILE_BYTES, parseWorkspaceFile, type WorkspaceFile } from '../../shared/schemas/workspace-export'
import { api } from '../lib/api'
import { describeFileError, readExportFile, type CheckedFile } from '../lib/export-file'
import { Button, Notice } from './ui'

interface Imported {
  workspace: { id: string; slug: string; name: string }
  invited: { email: string; role: string }[]
  notInvited: { email: string; role: string; reason: string }[]
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** People the import named, by email and role; nothing when there are none. */
function PeopleList(props: { title: string; people: { email: string; role: string }[]; testId: string }) {
  if (!props.people.length) return null
  return (
    <div className="text-sm text-zinc-700">
      <p className="font-medium">{props.title}</p>
      <ul className="mt-1 list-disc pl-5" data-testid={props.testId}>
        {props.people.map((p) => (
          <li key={p.email}>
            {p.email} ({p.role})
          </li>
        ))}
      </ul>
    </div>
  )
}

const open = (slug: string) => window.location.assign(`/w/${slug}`)

/**
 * A new workspace from an export file: checked here with the server's
 * schema, uploaded, then the people it invited (and those the plan had no
 * room for) are listed before going in. With nobody to invite it goes
 * straight in.
 */
export function ImportWorkspaceForm() {
  const [file, setFile] = useState<CheckedFile<WorkspaceFile> | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  const [done, setDone] = useState<Imported | null>(null)

  const pick = async (picked: File | undefined) => {
    setFile(null)
    setError(null)
    if (!picked) return
    try {
      setFile(await readExportFile(picked, MAX_WORKSPACE_FILE_BYTES, parseWorkspaceFile))
    } catch (e) {
      setError(describeFileError(e))
    }
  }
  const upload = async () => {
    if (!file) return
    setPending(true)
    setError(null)
    try {
      const result = await api<Imported>('/api/workspaces/import', file.raw)
      if (!result.invited.length && !result.notInvited.length) open(result.workspace.slug)
      else setDone(result)
    } catch (e) {
      setError(describeFileError(e))
    } finally {
      setPending(false)
    }
  }

  if (done) {
    return (
      <section className="space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200" data-testid="import-result">
        <Notice tone="success">{done.workspace.name} is ready.</Notice>
        <PeopleList title="Invited by email:" people={done.invited} testId="invited" />
        <PeopleList
          title={`Not invited: ${done.notInvited[0]?.reason}. Invite them once there is room:`}
          people={done.notInvited}
          testId="not-invited"
        />
        <Button className="w-full" onClick={() => open(done.workspace.slug)}>
          Open {done.workspace.name}
        </Button>
      </section>
    )
  }

  const summary = file?.parsed
  return (
    <section className="space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200">
      <div>
        <h2 className="text-base font-semibold text-zinc-900">Import from a file</h2>
        <p className="mt-1 text-sm text-zinc-500">
          A workspace export becomes a new workspace of yours. Its members are invited, never added.
        </p>
      </div>
      <label className="block">
        <span className="mb-1 block text-sm font-medium text-zinc-700">Workspace file</span>
        <input
          type="file"
          name="workspace-file"
          accept=".json,application/json"
          onChange={(e) => void pick(e.target.files?.[0])}
          className="block w-full text-sm text-zinc-700 file:mr-3 file:rounded-md file:border-0 file:bg-zinc-100 file:px-3 file:py-2 file:text-sm file:font-medium hover:file:bg-zinc-200"
        />
      </label>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {summary ? (
        <p className="text-sm text-zinc-600" data-testid="import-summary">
          {summary.workspace.name}: {plural(summary.sidekiqs.length, 'sidekiq')},{' '}
          {plural(summary.sharedChats.length, 'shared chat')}, {plural(summary.privateChats.length, 'private chat')},{' '}
          {plural(summary.members.length, 'member')}.
        </p>
      ) : null}
      <Button className="w-full" variant="secondary" disabled={!file || pending} onClick={() => void upload()}>
        {pending ? 'Importing…' : 'Import workspace'}
      </Button>
    </section>
  )
}
