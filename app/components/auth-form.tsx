import { Link } from '@tanstack/react-router'
import { useEffect, useState, type FormEvent } from 'react'
import { api } from '../lib/api'
import { safeRedirect } from '../lib/safe-redirect'
import { Button, CenteredPage, Field, Input, Notice } from './ui'
import { useAction } from './use-action'

/** Sign-in and sign-up share one form; after success the visitor returns to `redirect`. */
export function AuthForm({
  mode,
  redirect,
  email: presetEmail,
}: {
  mode: 'sign-in' | 'sign-up'
  redirect?: string
  email?: string
}) {
  const [name, setName] = useState('')
  const [email, setEmail] = useState(presetEmail ?? '')
  const [password, setPassword] = useState('')
  const target = safeRedirect(redirect)
  const [interactive, setInteractive] = useState(false)
  useEffect(() => setInteractive(true), [])
  const submit = useAction(async () => {
    if (mode === 'sign-up') await api('/api/auth/sign-up/email', { name, email, password })
    else await api('/api/auth/sign-in/email', { email, password })
    // A full load, so every loader sees the new session cookie.
    window.location.assign(target)
  })
  const onSubmit = (e: FormEvent) => {
    e.preventDefault()
    void submit.run()
  }
  const other = mode === 'sign-in' ? '/sign-up' : '/sign-in'
  return (
    <CenteredPage
      title={mode === 'sign-in' ? 'Sign in to Workspaces' : 'Create your account'}
      subtitle={mode === 'sign-up' ? 'You get a personal workspace right away.' : undefined}
    >
      <form onSubmit={onSubmit} className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-zinc-200" noValidate>
        {/* Disabled until the page is interactive: typed before then, the text would be lost and a
            press of the button would submit the page to itself. */}
        <fieldset disabled={!interactive} className="space-y-4">
          {submit.error && !Object.keys(submit.fields).length ? <Notice tone="error">{submit.error}</Notice> : null}
          {mode === 'sign-up' ? (
            <Field label="Name" error={submit.fields.name}>
              <Input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} required />
            </Field>
          ) : null}
          <Field label="Email" error={submit.fields.email}>
            <Input
              name="email"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
            />
          </Field>
          <Field
            label="Password"
            error={submit.fields.password}
            hint={mode === 'sign-up' ? 'At least 8 characters' : undefined}
          >
            <Input
              name="password"
              type="password"
              autoComplete={mode === 'sign-up' ? 'new-password' : 'current-password'}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
            />
          </Field>
          <Button type="submit" className="w-full" disabled={submit.pending}>
            {submit.pending ? 'Please wait…' : mode === 'sign-in' ? 'Sign in' : 'Create account'}
          </Button>
        </fieldset>
      </form>
      <p className="mt-4 text-center text-sm text-zinc-600">
        {mode === 'sign-in' ? 'New here? ' : 'Already have an account? '}
        <Link
          to={other}
          search={{ redirect: redirect, email: presetEmail }}
          className="font-medium text-indigo-600 hover:underline"
        >
          {mode === 'sign-in' ? 'Create an account' : 'Sign in'}
        </Link>
      </p>
    </CenteredPage>
  )
}
