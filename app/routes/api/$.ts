import { createFileRoute } from '@tanstack/react-router'
import { getApiHandler } from '../../server/api/instance'

async function handle({ request }: { request: Request }) {
  const api = await getApiHandler()
  return (await api(request)) ?? new Response('Not found', { status: 404 })
}

/** Every /api request goes to the one API handler (better-auth plus our routes). */
export const Route = createFileRoute('/api/$')({
  server: { handlers: { GET: handle, POST: handle, PUT: handle, PATCH: handle, DELETE: handle, OPTIONS: handle } },
})
