import { createFileRoute } from '@tanstack/react-router'
import { AuthForm } from '../components/auth-form'
import { authSearch } from '../lib/auth-search'

export const Route = createFileRoute('/sign-in')({
  validateSearch: authSearch,
  component: () => {
    const { redirect, email } = Route.useSearch()
    return <AuthForm mode="sign-in" redirect={redirect} email={email} />
  },
})
