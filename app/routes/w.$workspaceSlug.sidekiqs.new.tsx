import { createFileRoute } from '@tanstack/react-router'
import { canCreateSidekiq } from '../../shared/sidekiq-policy'
import { SidekiqForm } from '../components/sidekiq-form'
import { Notice } from '../components/ui'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/sidekiqs/new')({
  component: () => {
    const { workspace, role, viewer } = useWorkspace()
    const navigate = Route.useNavigate()
    const back = () => void navigate({ to: '/w/$workspaceSlug/sidekiqs', params: { workspaceSlug: workspace.slug } })
    return (
      <div className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
        <h1 className="text-2xl font-semibold text-zinc-900">New sidekiq</h1>
        {canCreateSidekiq(role) ? (
          <SidekiqForm
            key={workspace.id}
            workspaceId={workspace.id}
            userId={viewer.id}
            onSaved={back}
            onCancel={back}
          />
        ) : (
          <Notice>Your role in this workspace can use sidekiqs but not create them.</Notice>
        )}
      </div>
    )
  },
})
