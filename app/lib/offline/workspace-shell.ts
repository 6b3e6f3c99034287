import { getWorkspaceShell } from '../../server/pages.functions'
import { forgetShell, readKeptShell } from './shell-store'

/** The frame's data: the server's answer, or offline the kept copy, or word that this device has none. */
export type WorkspaceShell = Awaited<ReturnType<typeof getWorkspaceShell>> | { status: 'not-on-device'; slug: string }

/**
 * Asks the server for the workspace shell. When the server cannot be
 * reached at all (no network, server down: fetch rejects), the copy this
 * device kept answers instead, so the frame and client-side navigation work
 * offline. Any answer the server does give (signed out, not a member, an
 * error) is final: a kept copy never overrides the server.
 */
export async function loadWorkspaceShell(slug: string): Promise<WorkspaceShell> {
  let shell: Awaited<ReturnType<typeof getWorkspaceShell>>
  try {
    shell = await getWorkspaceShell({ data: { slug } })
  } catch (error) {
    // fetch rejects with a TypeError on a network failure; on the server the call is in-process.
    if (typeof window === 'undefined' || !(error instanceof TypeError)) throw error
    const kept = await readKeptShell(slug).catch(() => null)
    return kept ?? { status: 'not-on-device', slug }
  }
  if (shell.status === 'not-available' && typeof window !== 'undefined') {
    // No longer theirs: the device stops showing it offline.
    await forgetShell(shell.viewer.id, slug).catch(() => undefined)
  }
  return shell
}
