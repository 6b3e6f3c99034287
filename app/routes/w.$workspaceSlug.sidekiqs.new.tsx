import { createFileRoute } from '@tanstack/react-router'
import { countSidekiqs } from '../../shared/doc'
import { planFor } from '../../shared/plans'
import { canCreateSidekiq } from '../../shared/sidekiq-policy'
import { SidekiqForm } from '../components/sidekiq-form'
import { LimitNotice } from '../components/sidekiq-list'
import { Notice } from '../components/ui'
import { useDocValue } from '../lib/sync/use-doc'
import { useWorkspaceReplica } from '../lib/sync/workspace-replica-context'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/sidekiqs/new')({
  component: NewSidekiqPage,
})

function NewSidekiqPage() {
  const { workspace, role, viewer } = useWorkspace()
  const navigate = Route.useNavigate()
  const replica = useWorkspaceReplica()
  const count = useDocValue(replica?.shared.doc ?? null, countSidekiqs, 0)
  const limit = planFor(workspace.plan).limits.sidekiqs
  const back = () => void navigate({ to: '/w/$workspaceSlug/sidekiqs', params: { workspaceSlug: workspace.slug } })
  return (
    <div className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
      <h1 className="text-2xl font-semibold text-zinc-900">New sidekiq</h1>
      {!canCreateSidekiq(role) ? (
        <Notice>Your role in this workspace can use sidekiqs but not create them.</Notice>
      ) : limit !== null && count >= limit ? (
        <LimitNotice slug={workspace.slug} limit={limit} />
      ) : (
        <SidekiqForm key={workspace.id} workspaceId={workspace.id} userId={viewer.id} onSaved={back} onCancel={back} />
      )}
    </div>
  )
}
