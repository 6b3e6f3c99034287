import { useRef, useState } from 'react'
import { MAX_SIDEKIQ_FILE_BYTES, parseSidekiqFile } from '../../shared/schemas/workspace-export'
import { api } from '../lib/api'
import { describeFileError, readExportFile } from '../lib/export-file'
import { Button } from './ui'
import { useToast } from './toast'

/**
 * Adds a sidekiq from an export file: checked here, then written by the
 * server into the live shared room, so the list (and everyone's) shows it
 * as it lands. The server makes the name free and the sidekiq the importer's.
 */
export function ImportSidekiqButton({ workspaceId }: { workspaceId: string }) {
  const input = useRef<HTMLInputElement>(null)
  const [pending, setPending] = useState(false)
  const toast = useToast()
  const pick = async (picked: File | undefined) => {
    if (!picked) return
    setPending(true)
    try {
      const { raw } = await readExportFile(picked, MAX_SIDEKIQ_FILE_BYTES, parseSidekiqFile)
      const { sidekiq } = await api<{ sidekiq: { name: string } }>(
        `/api/workspaces/${encodeURIComponent(workspaceId)}/sidekiqs/import`,
        raw,
      )
      toast.show(`Imported “${sidekiq.name}”`, 'success')
    } catch (e) {
      toast.show(describeFileError(e), 'error')
    } finally {
      setPending(false)
      // The same file picked again must fire a change again.
      if (input.current) input.current.value = ''
    }
  }
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        aria-label="Sidekiq file"
        className="hidden"
        onChange={(e) => void pick(e.target.files?.[0])}
      />
      <Button
        variant="secondary"
        className="whitespace-nowrap"
        disabled={pending}
        onClick={() => input.current?.click()}
      >
        {pending ? 'Importing…' : 'Import a sidekiq'}
      </Button>
    </>
  )
}
