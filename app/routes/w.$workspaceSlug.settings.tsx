import { createFileRoute, Outlet } from '@tanstack/react-router'
import { SettingsTabs } from '../components/settings-tabs'
import { OnlineOnly } from '../lib/offline/online-only'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/settings')({
  component: () => {
    const { workspace, role } = useWorkspace()
    return (
      <SettingsTabs slug={workspace.slug} isPersonal={workspace.isPersonal} role={role}>
        <OnlineOnly what="Settings, members and invitations">
          <Outlet />
        </OnlineOnly>
      </SettingsTabs>
    )
  },
})
