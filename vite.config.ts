import tailwindcss from '@tailwindcss/vite'
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { defineConfig, type Plugin } from 'vite'

/**
 * Mounts the sync server on the dev server's port (/sync/… only; Vite's own
 * HMR socket is left alone). It is loaded through Vite so it shares the
 * process's database and auth singletons with the app.
 */
type UpgradeHandler = (req: unknown, socket: unknown, head: unknown) => boolean

function devSyncServer(): Plugin {
  return {
    name: 'workspaces-sync',
    apply: 'serve',
    configureServer(server) {
      server.httpServer?.on('upgrade', (req, socket, head) => {
        if (!req.url?.startsWith('/sync/')) return
        server
          .ssrLoadModule('/sync-server/index.ts')
          .then(async (mod: Record<string, unknown>) => {
            const sync = await (mod.getProcessSyncServer as () => Promise<{ handleUpgrade: UpgradeHandler }>)()
            sync.handleUpgrade(req, socket, head)
          })
          .catch((error: unknown) => {
            server.config.logger.error(`sync upgrade failed: ${String(error)}`)
            socket.destroy()
          })
      })
    },
  }
}

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000) },
  plugins: [devSyncServer(), tailwindcss(), tanstackStart({ srcDirectory: 'app' }), viteReact()],
})
