import { createFileRoute } from '@tanstack/react-router'
import { useCallback } from 'react'
import { BillingPanel } from '../components/billing-panel'
import { billingSearch } from '../components/use-checkout-return'
import { OnlineOnly } from '../lib/offline/online-only'
import { useWorkspace } from '../lib/workspace-route'

export const Route = createFileRoute('/w/$workspaceSlug/billing')({
  validateSearch: billingSearch,
  component: BillingPage,
})

function BillingPage() {
  const { workspace } = useWorkspace()
  const { checkout } = Route.useSearch()
  const navigate = Route.useNavigate()
  // Replace, not push: the return from Checkout should not stay in the history.
  const settle = useCallback(() => void navigate({ search: {}, replace: true }), [navigate])
  return (
    <OnlineOnly what="Plan and billing details">
      <BillingPanel key={workspace.id} workspace={workspace} checkout={checkout} onCheckoutSettled={settle} />
    </OnlineOnly>
  )
}
