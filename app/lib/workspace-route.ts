import { getRouteApi } from '@tanstack/react-router'

/** The workspace frame's loader data, for pages inside /w/$workspaceSlug. */
export const workspaceRoute = getRouteApi('/w/$workspaceSlug')

/** The loaded workspace; pages under the frame only render when it is available. */
export function useWorkspace() {
  const shell = workspaceRoute.useLoaderData()
  if (shell.status !== 'ok') throw new Error('workspace pages render only inside an available workspace')
  return shell
}
