import { createFileRoute, redirect } from '@tanstack/react-router'
import { AccountSettings } from '../components/account-settings'
import { getViewer } from '../server/pages.functions'

export const Route = createFileRoute('/account')({
  beforeLoad: async ({ location }) => {
    const viewer = await getViewer()
    if (!viewer) throw redirect({ to: '/sign-in', search: { redirect: location.href } })
    return { viewer }
  },
  component: () => <AccountSettings viewer={Route.useRouteContext().viewer} />,
})
