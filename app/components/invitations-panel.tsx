import { useState, type FormEvent } from 'react'
import { can } from '../../shared/capabilities'
import { refuseInvitationRole } from '../../shared/member-policy'
import { ASSIGNABLE_ROLES, type WorkspaceRole } from '../../shared/roles'
import { api } from '../lib/api'
import { Button, Card, Field, Input, Notice, RoleBadge, Select } from './ui'
import { useAction } from './use-action'
import { useApiData } from './use-api-data'

interface InvitationRow {
  id: string
  email: string
  role: string
  state: 'pending' | 'expired' | 'accepted' | 'canceled' | 'rejected'
  expiresAt: string
  createdAt: string
}

function inviteLink(id: string) {
  return `${window.location.origin}/invite/${id}`
}

/** Invite by email, then copy, resend or revoke each pending invitation. */
export function InvitationsPanel({
  workspace,
  role,
}: {
  workspace: { id: string; name: string; isPersonal: boolean }
  role: WorkspaceRole
}) {
  const base = `/api/workspaces/${encodeURIComponent(workspace.id)}/invitations`
  const { data, error, reload } = useApiData<{ invitations: InvitationRow[] }>(base)
  const [email, setEmail] = useState('')
  const [inviteRole, setInviteRole] = useState<string>('member')
  const [copied, setCopied] = useState<string | null>(null)
  const invite = useAction(async () => {
    await api('/api/auth/organization/invite-member', { organizationId: workspace.id, email, role: inviteRole })
    setEmail('')
    reload()
  })
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn()
    reload()
  })
  const copy = async (id: string) => {
    await navigator.clipboard?.writeText(inviteLink(id)).catch(() => undefined)
    setCopied(id)
  }
  const onInvite = (e: FormEvent) => {
    e.preventDefault()
    void invite.run()
  }
  if (workspace.isPersonal) {
    return <Notice>A personal workspace cannot have other members. Create a workspace to invite people.</Notice>
  }
  const roles = ASSIGNABLE_ROLES.filter((r) => !refuseInvitationRole(role, r))
  const rows = data?.invitations ?? []
  const pending = rows.filter((r) => r.state === 'pending')
  const past = rows.filter((r) => r.state !== 'pending')
  return (
    <>
      {can(role, 'invitation:create') ? (
        <Card
          title="Invite people"
          description="They get an email with a link; the link can also be copied below. Links are valid for 7 days."
        >
          <form onSubmit={onInvite} className="flex flex-wrap items-start gap-3" noValidate>
            <div className="min-w-56 flex-1">
              <Field label="Email" error={invite.fields.email}>
                <Input
                  name="invite-email"
                  type="email"
                  placeholder="name@company.com"
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                />
              </Field>
            </div>
            <div className="w-36">
              <Field label="Role" error={invite.fields.role}>
                <Select name="invite-role" value={inviteRole} onChange={(e) => setInviteRole(e.target.value)}>
                  {roles.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
            <Button type="submit" className="mt-6" disabled={invite.pending}>
              {invite.pending ? 'Inviting…' : 'Send invitation'}
            </Button>
          </form>
          {invite.error && !invite.fields.email ? (
            <div className="mt-3">
              <Notice tone="error">{invite.error}</Notice>
            </div>
          ) : null}
        </Card>
      ) : null}
      <Card title="Pending invitations" description={pending.length ? undefined : 'No pending invitations.'}>
        {error ? <Notice tone="error">{error}</Notice> : null}
        {act.error ? <Notice tone="error">{act.error}</Notice> : null}
        <ul className="divide-y divide-zinc-100" data-testid="pending-invitations">
          {pending.map((inv) => (
            <li
              key={inv.id}
              className="flex flex-wrap items-center gap-3 py-3"
              data-testid="invitation-row"
              data-invitation-id={inv.id}
            >
              <div className="min-w-0 flex-1">
                <div className="truncate text-sm font-medium text-zinc-900">{inv.email}</div>
                <div className="text-xs text-zinc-500">Expires {new Date(inv.expiresAt).toLocaleDateString()}</div>
              </div>
              <RoleBadge role={inv.role} />
              <Button variant="secondary" onClick={() => void copy(inv.id)}>
                {copied === inv.id ? 'Copied' : 'Copy link'}
              </Button>
              {can(role, 'invitation:create') ? (
                <Button
                  variant="ghost"
                  disabled={act.pending}
                  onClick={() => void act.run(() => api(`${base}/${encodeURIComponent(inv.id)}/resend`, {}))}
                >
                  Resend
                </Button>
              ) : null}
              {can(role, 'invitation:cancel') ? (
                <Button
                  variant="danger"
                  disabled={act.pending}
                  onClick={() =>
                    void act.run(() => api('/api/auth/organization/cancel-invitation', { invitationId: inv.id }))
                  }
                >
                  Revoke
                </Button>
              ) : null}
              {copied === inv.id ? (
                <input
                  readOnly
                  aria-label="Invitation link"
                  className="w-full rounded bg-zinc-50 px-2 py-1 font-mono text-xs text-zinc-600"
                  value={inviteLink(inv.id)}
                  data-testid="invitation-link"
                />
              ) : null}
            </li>
          ))}
        </ul>
      </Card>
      {past.length ? (
        <Card title="Past invitations">
          <ul className="divide-y divide-zinc-100">
            {past.slice(0, 20).map((inv) => (
              <li key={inv.id} className="flex items-center gap-3 py-2 text-sm">
                <span className="min-w-0 flex-1 truncate text-zinc-700">{inv.email}</span>
                <span className="text-xs text-zinc-500">{inv.state}</span>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </>
  )
}
