import { createFileRoute, redirect } from '@tanstack/react-router'
import { getLanding } from '../server/pages.functions'

export const Route = createFileRoute('/')({
  beforeLoad: async () => {
    const { viewer, slug } = await getLanding()
    if (!viewer) throw redirect({ to: '/sign-in' })
    if (slug) throw redirect({ to: '/w/$workspaceSlug', params: { workspaceSlug: slug } })
    throw redirect({ to: '/workspaces/new' })
  },
})
