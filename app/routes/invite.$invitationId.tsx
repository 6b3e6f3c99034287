import { createFileRoute } from '@tanstack/react-router'
import { InvitationView } from '../components/invitation-view'
import { getInvitationPage } from '../server/pages.functions'

export const Route = createFileRoute('/invite/$invitationId')({
  loader: ({ params }) => getInvitationPage({ data: { invitationId: params.invitationId } }),
  component: () => {
    const { invitation, viewer } = Route.useLoaderData()
    return <InvitationView invitation={invitation} viewer={viewer} />
  },
})
