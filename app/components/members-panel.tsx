import { can } from '../../shared/capabilities'
import { refuseRemoval, refuseRoleChange } from '../../shared/member-policy'
import { ASSIGNABLE_ROLES, isWorkspaceRole, type WorkspaceRole } from '../../shared/roles'
import { api } from '../lib/api'
import { Button, Card, Notice, RoleBadge, Select } from './ui'
import { useAction } from './use-action'
import { useApiData } from './use-api-data'

interface MemberRow {
  id: string
  role: string
  createdAt: string
  user: { id: string; name: string; email: string }
}

interface Props {
  workspace: { id: string; name: string; isPersonal: boolean }
  role: WorkspaceRole
  memberId: string
}

/**
 * Members and what the viewer may do to each. The buttons follow the shared
 * policy only so nobody is offered an action the server would refuse.
 */
export function MembersPanel({ workspace, role, memberId }: Props) {
  const { data, error, reload } = useApiData<{ members: MemberRow[] }>(
    `/api/auth/organization/list-members?organizationId=${encodeURIComponent(workspace.id)}`,
  )
  const act = useAction(async (fn: () => Promise<unknown>, after?: () => void) => {
    await fn()
    if (after) after()
    else reload()
  })
  const changeRole = (m: MemberRow, next: string) =>
    act.run(() =>
      api('/api/auth/organization/update-member-role', { organizationId: workspace.id, memberId: m.id, role: next }),
    )
  const removeMember = (m: MemberRow) => {
    if (window.confirm(`Remove ${m.user.name} from ${workspace.name}? They lose access at once.`)) {
      void act.run(() =>
        api('/api/auth/organization/remove-member', { organizationId: workspace.id, memberIdOrEmail: m.id }),
      )
    }
  }
  const transfer = (m: MemberRow) => {
    if (window.confirm(`Make ${m.user.name} the owner of ${workspace.name}? You become an admin.`)) {
      void act.run(
        () => api(`/api/workspaces/${encodeURIComponent(workspace.id)}/transfer-ownership`, { memberId: m.id }),
        () => window.location.reload(),
      )
    }
  }
  const leave = () => {
    if (window.confirm(`Leave ${workspace.name}?`)) {
      void act.run(
        () => api('/api/auth/organization/leave', { organizationId: workspace.id }),
        () => window.location.assign('/'),
      )
    }
  }
  const members = data?.members ?? []
  return (
    <Card title="Members" description={`${members.length} ${members.length === 1 ? 'member' : 'members'}`}>
      {error ? <Notice tone="error">{error}</Notice> : null}
      {act.error ? <Notice tone="error">{act.error}</Notice> : null}
      {!data && !error ? <p className="text-sm text-zinc-500">Loading members…</p> : null}
      <ul className="divide-y divide-zinc-100" data-testid="members-list">
        {members.map((m) => {
          const target = isWorkspaceRole(m.role) ? m.role : 'viewer'
          const isMe = m.id === memberId
          const roleOptions = ASSIGNABLE_ROLES.filter((r) => r === target || !refuseRoleChange(role, target, r))
          const mayChange =
            !isMe &&
            roleOptions.length > 1 &&
            !refuseRoleChange(role, target, roleOptions.find((r) => r !== target) ?? target)
          return (
            <li key={m.id} className="flex flex-wrap items-center gap-3 py-3" data-testid="member-row">
              <div className="min-w-0 flex-1">
                <div className="truncate text-sm font-medium text-zinc-900">
                  {m.user.name} {isMe ? <span className="text-zinc-500">(you)</span> : null}
                </div>
                <div className="truncate text-xs text-zinc-500">{m.user.email}</div>
              </div>
              {mayChange ? (
                <Select
                  aria-label={`Role of ${m.user.name}`}
                  className="w-32"
                  value={target}
                  disabled={act.pending}
                  onChange={(e) => void changeRole(m, e.target.value)}
                >
                  {roleOptions.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              ) : (
                <RoleBadge role={m.role} />
              )}
              {!isMe && can(role, 'workspace:transfer') && !workspace.isPersonal ? (
                <Button variant="ghost" disabled={act.pending} onClick={() => transfer(m)}>
                  Make owner
                </Button>
              ) : null}
              {!isMe && !refuseRemoval(role, target) ? (
                <Button variant="danger" disabled={act.pending} onClick={() => removeMember(m)}>
                  Remove
                </Button>
              ) : null}
              {isMe && !workspace.isPersonal && role !== 'owner' ? (
                <Button variant="danger" disabled={act.pending} onClick={leave}>
                  Leave
                </Button>
              ) : null}
            </li>
          )
        })}
      </ul>
    </Card>
  )
}
