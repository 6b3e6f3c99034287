import { createFileRoute } from '@tanstack/react-router'
import { getSidekiq } from '../../shared/doc'
import { canEditSidekiq } from '../../shared/sidekiq-policy'
import { DownloadLink } from '../components/download-link'
import { SidekiqForm } from '../components/sidekiq-form'
import { useDocValue } from '../lib/sync/use-doc'
import { useReplicaLoaded, useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/sidekiqs/$sidekiqId')({
  component: EditSidekiqPage,
})

function EditSidekiqPage() {
  const { workspace, role, viewer } = useWorkspace()
  const { sidekiqId } = Route.useParams()
  const navigate = Route.useNavigate()
  const replica = useWorkspaceReplica()
  const loaded = useReplicaLoaded(replica)
  const sidekiq = useDocValue(replica?.shared.doc ?? null, (d) => getSidekiq(d, sidekiqId), null)
  const back = () => void navigate({ to: '/w/$workspaceSlug/sidekiqs', params: { workspaceSlug: workspace.slug } })
  const editable = sidekiq ? canEditSidekiq(role, sidekiq, viewer.id) : false
  return (
    <div className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
      <header className="flex items-center justify-between gap-4">
        <h1 className="text-2xl font-semibold text-zinc-900">
          {sidekiq ? (editable ? `Edit ${sidekiq.name}` : sidekiq.name) : 'Sidekiq'}
        </h1>
        {sidekiq ? (
          <DownloadLink
            href={`/api/workspaces/${encodeURIComponent(workspace.id)}/sidekiqs/${encodeURIComponent(sidekiq.id)}/export`}
          >
            Export
          </DownloadLink>
        ) : null}
      </header>
      {!replica ? (
        <p className="text-sm text-zinc-500" role="status">
          Opening the workspace…
        </p>
      ) : !sidekiq && !loaded ? (
        <p className="text-sm text-zinc-500" role="status">
          Opening the sidekiq…
        </p>
      ) : !sidekiq ? (
        <p className="text-sm text-zinc-500" role="status">
          This sidekiq is not here (yet): it may still be syncing, or it was deleted.
        </p>
      ) : (
        <>
          {editable ? null : (
            <p className="text-sm text-zinc-600">
              Only its author and the workspace’s owners and admins can change it.
            </p>
          )}
          {/* Keyed by id: the form starts from the sidekiq as first read, and a different sidekiq is a new form. */}
          <SidekiqForm
            key={sidekiq.id}
            workspaceId={workspace.id}
            userId={viewer.id}
            sidekiq={sidekiq}
            readOnly={!editable}
            onSaved={back}
            onCancel={back}
          />
        </>
      )}
    </div>
  )
}
