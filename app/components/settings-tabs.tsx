import { Link } from '@tanstack/react-router'
import type { ReactNode } from 'react'
import { can } from '../../shared/capabilities'
import type { WorkspaceRole } from '../../shared/roles'

export function SettingsTabs({
  slug,
  isPersonal,
  role,
  children,
}: {
  slug: string
  isPersonal: boolean
  role: WorkspaceRole
  children: ReactNode
}) {
  const tab = 'border-b-2 border-transparent px-1 pb-2 text-sm text-zinc-600 hover:text-zinc-900'
  const active = { className: `${tab} border-indigo-600 font-medium text-zinc-900` }
  return (
    <div className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-semibold text-zinc-900">Settings</h1>
      <nav className="mt-4 flex gap-6 border-b border-zinc-200" aria-label="Settings">
        <Link
          to="/w/$workspaceSlug/settings"
          params={{ workspaceSlug: slug }}
          activeOptions={{ exact: true }}
          className={tab}
          activeProps={active}
        >
          General
        </Link>
        <Link
          to="/w/$workspaceSlug/settings/members"
          params={{ workspaceSlug: slug }}
          className={tab}
          activeProps={active}
        >
          Members
        </Link>
        {!isPersonal && can(role, 'invitation:read') ? (
          <Link
            to="/w/$workspaceSlug/settings/invitations"
            params={{ workspaceSlug: slug }}
            className={tab}
            activeProps={active}
          >
            Invitations
          </Link>
        ) : null}
      </nav>
      <div className="mt-6 space-y-6">{children}</div>
    </div>
  )
}
