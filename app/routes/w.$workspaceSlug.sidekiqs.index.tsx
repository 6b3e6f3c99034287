import { createFileRoute, Link } from '@tanstack/react-router'
import { planFor } from '../../shared/plans'
import { canCreateSidekiq } from '../../shared/sidekiq-policy'
import { ImportSidekiqButton } from '../components/import-sidekiq-button'
import { SidekiqList } from '../components/sidekiq-list'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/sidekiqs/')({
  component: () => {
    const { workspace, role, viewer } = useWorkspace()
    return (
      <div className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
        <header className="flex items-end justify-between gap-4">
          <div>
            <p className="text-sm text-zinc-500">{workspace.name}</p>
            <h1 className="mt-1 text-2xl font-semibold text-zinc-900">Sidekiqs</h1>
            <p className="mt-2 text-sm text-zinc-600">
              Assistants with their own instructions, shared with everyone here.
            </p>
          </div>
          {canCreateSidekiq(role) ? (
            <div className="flex shrink-0 gap-2">
              <ImportSidekiqButton workspaceId={workspace.id} />
              <Link
                to="/w/$workspaceSlug/sidekiqs/new"
                params={{ workspaceSlug: workspace.slug }}
                className="inline-flex items-center rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500"
              >
                New sidekiq
              </Link>
            </div>
          ) : null}
        </header>
        <SidekiqList
          key={workspace.id}
          slug={workspace.slug}
          userId={viewer.id}
          role={role}
          limit={planFor(workspace.plan).limits.sidekiqs}
        />
      </div>
    )
  },
})
