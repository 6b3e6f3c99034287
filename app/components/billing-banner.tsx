import { Link, useMatchRoute } from '@tanstack/react-router'
import type { ReactNode } from 'react'
import type { BillingOverview } from '../../shared/schemas/billing'
import { pastDueText } from './billing-status'
import { useApiData } from './use-api-data'

/** A failed payment, said plainly, with what the reader can do about it. */
export function PastDueBanner({ overview, action }: { overview: BillingOverview; action?: ReactNode }) {
  return (
    <div
      role="alert"
      data-testid="billing-past-due"
      className="flex flex-wrap items-center gap-x-4 gap-y-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200"
    >
      <p className="min-w-0 flex-1 basis-64">
        <span className="font-semibold">Payment failed.</span> {pastDueText(overview)}
      </p>
      {action}
    </div>
  )
}

// Slow on purpose: a failed payment is news for days, not seconds.
const REFRESH_MS = 60_000

/**
 * The past-due banner on every page of a workspace, for those who can fix
 * it. The billing page shows its own from its own data, so none here.
 */
export function BillingBanner({ workspaceId, slug }: { workspaceId: string; slug: string }) {
  const matchRoute = useMatchRoute()
  if (matchRoute({ to: '/w/$workspaceSlug/billing', params: { workspaceSlug: slug } })) return null
  return <FetchedBanner key={workspaceId} workspaceId={workspaceId} slug={slug} />
}

function FetchedBanner({ workspaceId, slug }: { workspaceId: string; slug: string }) {
  const { data, error } = useApiData<BillingOverview>(`/api/workspaces/${encodeURIComponent(workspaceId)}/billing`, {
    refreshMs: REFRESH_MS,
  })
  // The banner is an aside: a failure to load it shows nothing, the page is unaffected.
  if (error || data?.status !== 'past_due') return null
  return (
    <div className="px-4 pt-4 sm:px-6">
      <PastDueBanner
        overview={data}
        action={
          <Link
            to="/w/$workspaceSlug/billing"
            params={{ workspaceSlug: slug }}
            className="rounded-md font-medium text-red-800 underline underline-offset-2 hover:text-red-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-red-500"
          >
            Update payment method
          </Link>
        }
      />
    </div>
  )
}
