import { Link } from '@tanstack/react-router'
import { can } from '../../shared/capabilities'
import { planFor } from '../../shared/plans'
import type { WorkspaceRole } from '../../shared/roles'
import { Card, RoleBadge } from './ui'

interface HomeProps {
  workspace: { name: string; slug: string; isPersonal: boolean; plan: string; memberCount: number }
  role: WorkspaceRole
}

/** The workspace's front page: what it is, who is in it, what its plan allows. */
export function WorkspaceHome({ workspace, role }: HomeProps) {
  const plan = planFor(workspace.plan)
  return (
    <div className="mx-auto max-w-3xl space-y-6 px-6 py-10">
      <header>
        <p className="text-sm text-zinc-500">{workspace.isPersonal ? 'Personal workspace' : 'Workspace'}</p>
        <h1 className="mt-1 text-2xl font-semibold text-zinc-900" data-testid="workspace-title">
          {workspace.name}
        </h1>
        <p className="mt-2 flex items-center gap-2 text-sm text-zinc-600">
          You are <RoleBadge role={role} /> · {plan.label} plan · {workspace.memberCount}{' '}
          {workspace.memberCount === 1 ? 'member' : 'members'}
        </p>
      </header>
      <div className="grid gap-4 sm:grid-cols-2">
        <Card
          title="Members"
          description={
            workspace.isPersonal
              ? 'A personal workspace is yours alone.'
              : `Up to ${plan.limits.members} on the ${plan.label} plan.`
          }
        >
          {!workspace.isPersonal && can(role, 'invitation:create') ? (
            <Link
              to="/w/$workspaceSlug/settings/invitations"
              params={{ workspaceSlug: workspace.slug }}
              className="text-sm font-medium text-indigo-600 hover:underline"
            >
              Invite people →
            </Link>
          ) : (
            <Link
              to="/w/$workspaceSlug/settings/members"
              params={{ workspaceSlug: workspace.slug }}
              className="text-sm font-medium text-indigo-600 hover:underline"
            >
              See members →
            </Link>
          )}
        </Card>
        <Card
          title="Plan"
          description={`${plan.label}: ${plan.limits.sidekiqs ?? 'unlimited'} sidekiqs, ${plan.limits.pendingInvitations} pending invitations.`}
        >
          <Link
            to="/w/$workspaceSlug/settings"
            params={{ workspaceSlug: workspace.slug }}
            className="text-sm font-medium text-indigo-600 hover:underline"
          >
            Workspace settings →
          </Link>
        </Card>
      </div>
    </div>
  )
}
