import { getRequestHeaders } from '@tanstack/react-start/server'
import { getAuth } from '../../db/auth'

/** The signed-in user of the current request, or null. Server-only. */
export async function currentSession() {
  const auth = await getAuth()
  return auth.api.getSession({ headers: getRequestHeaders() })
}
