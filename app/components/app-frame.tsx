import { Link } from '@tanstack/react-router'
import type { ReactNode } from 'react'
import { can } from '../../shared/capabilities'
import { isWorkspaceRole } from '../../shared/roles'
import { api } from '../lib/api'
import { clearLocalCopies } from '../lib/sync/workspace-replica'
import { ChatList } from './chat-list'
import { SyncIndicator } from './sync-indicator'
import { BillingBanner } from './billing-banner'
import { WorkspaceSwitcher, type SwitcherWorkspace } from './workspace-switcher'

/** The signed-in frame: sidebar (switcher, navigation, account) and the page. */
export function AppFrame({
  viewer,
  current,
  workspaces,
  children,
}: {
  viewer: { id: string; name: string; email: string }
  current: SwitcherWorkspace | null
  workspaces: SwitcherWorkspace[]
  children: ReactNode
}) {
  const signOut = async () => {
    // What this device kept of the person's workspaces goes with them.
    await clearLocalCopies(viewer.id).catch(() => undefined)
    await api('/api/auth/sign-out', {})
    window.location.assign('/sign-in')
  }
  const nav = 'block rounded-md px-2 py-1.5 text-sm text-zinc-700 hover:bg-zinc-200/60'
  const active = { className: `${nav} bg-zinc-200/70 font-medium text-zinc-900` }
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <aside className="flex w-full shrink-0 flex-col border-b border-zinc-200 bg-zinc-100/70 p-3 md:h-screen md:w-64 md:border-r md:border-b-0">
        <WorkspaceSwitcher current={current} workspaces={workspaces} />
        {current ? <SyncIndicator /> : null}
        {current ? (
          <nav className="mt-4 space-y-0.5" aria-label="Workspace">
            <Link
              to="/w/$workspaceSlug"
              params={{ workspaceSlug: current.slug }}
              activeOptions={{ exact: true }}
              className={nav}
              activeProps={active}
            >
              Home
            </Link>
            <Link
              to="/w/$workspaceSlug/usage"
              params={{ workspaceSlug: current.slug }}
              className={nav}
              activeProps={active}
            >
              Usage
            </Link>
            <Link
              to="/w/$workspaceSlug/billing"
              params={{ workspaceSlug: current.slug }}
              className={nav}
              activeProps={active}
            >
              Billing
            </Link>
            <Link
              to="/w/$workspaceSlug/settings"
              params={{ workspaceSlug: current.slug }}
              className={nav}
              activeProps={active}
            >
              Settings
            </Link>
          </nav>
        ) : null}
        {current ? (
          <ChatList
            slug={current.slug}
            userId={viewer.id}
            canWrite={isWorkspaceRole(current.role) && can(current.role, 'content:write')}
          />
        ) : null}
        <div className="mt-auto hidden border-t border-zinc-200 pt-3 md:block">
          <div className="truncate text-sm font-medium text-zinc-900" data-testid="viewer-name">
            {viewer.name}
          </div>
          <div className="truncate text-xs text-zinc-500">{viewer.email}</div>
          <div className="mt-2 flex gap-3 text-xs">
            <Link to="/account" className="text-zinc-600 hover:text-zinc-900">
              Account
            </Link>
            <button type="button" onClick={() => void signOut()} className="text-zinc-600 hover:text-zinc-900">
              Sign out
            </button>
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 overflow-y-auto">
        {current && isWorkspaceRole(current.role) && can(current.role, 'workspace:billing') ? (
          <BillingBanner workspaceId={current.id} slug={current.slug} />
        ) : null}
        {children}
      </main>
    </div>
  )
}
