import { createFileRoute } from '@tanstack/react-router'
import { UsagePanel, usageSearch } from '../components/usage-panel'
import { OnlineOnly } from '../lib/offline/online-only'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/usage')({
  validateSearch: usageSearch,
  component: () => {
    const { workspace, role } = useWorkspace()
    const range = Route.useSearch()
    const navigate = Route.useNavigate()
    return (
      <OnlineOnly what="Usage figures">
        <UsagePanel
          key={workspace.id}
          workspace={workspace}
          role={role}
          range={range}
          // Replace, not push: adjusting the dates should not fill the history.
          onRangeChange={(next) => void navigate({ search: next, replace: true })}
        />
      </OnlineOnly>
    )
  },
})
