import { signOutAndForget } from '../lib/sign-out'
import { Link } from '@tanstack/react-router'
import { useState, type FormEvent } from 'react'
import { api } from '../lib/api'
import { Button, CenteredPage, Field, Input, Notice } from './ui'
import { useAction } from './use-action'

/** Password change (other sessions are signed out) and sign-out. */
export function AccountSettings({ viewer }: { viewer: { id: string; name: string; email: string } }) {
  const [currentPassword, setCurrent] = useState('')
  const [newPassword, setNext] = useState('')
  const [done, setDone] = useState(false)
  const change = useAction(async () => {
    setDone(false)
    await api('/api/auth/change-password', { currentPassword, newPassword, revokeOtherSessions: true })
    setCurrent('')
    setNext('')
    setDone(true)
  })
  const signOut = useAction(async () => {
    await signOutAndForget(viewer.id)
    window.location.assign('/sign-in')
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    void change.run()
  }
  return (
    <CenteredPage title={viewer.name} subtitle={viewer.email}>
      <form onSubmit={onSubmit} className="space-y-4 rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200" noValidate>
        <h2 className="text-sm font-semibold text-zinc-900">Change password</h2>
        {done ? <Notice tone="success">Password changed. Your other sessions were signed out.</Notice> : null}
        {change.error && !Object.keys(change.fields).length ? <Notice tone="error">{change.error}</Notice> : null}
        <Field label="Current password" error={change.fields.currentPassword}>
          <Input
            type="password"
            autoComplete="current-password"
            value={currentPassword}
            onChange={(e) => setCurrent(e.target.value)}
          />
        </Field>
        <Field label="New password" error={change.fields.newPassword} hint="At least 8 characters">
          <Input
            type="password"
            autoComplete="new-password"
            value={newPassword}
            onChange={(e) => setNext(e.target.value)}
          />
        </Field>
        <Button type="submit" className="w-full" disabled={change.pending}>
          Change password
        </Button>
      </form>
      <div className="mt-4 flex justify-between text-sm">
        <Link to="/" className="text-zinc-600 hover:underline">
          Back to workspaces
        </Link>
        <button type="button" className="text-red-700 hover:underline" onClick={() => void signOut.run()}>
          Sign out
        </button>
      </div>
    </CenteredPage>
  )
}
