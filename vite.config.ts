import tailwindcss from '@tailwindcss/vite'
import { tanstackStart } from '@tanstack/react-start/plugin/vite'
import viteReact from '@vitejs/plugin-react'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
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

/**
 * Writes this build's id and hashed assets into the service worker copied
 * from public/sw.js, so it caches them on install and a new build is a new
 * worker (browsers compare the script's bytes).
 */
const SERVICE_WORKER_MARKER = "const BUILD = { id: 'dev', assets: [] }"

function serviceWorkerBuild(): Plugin {
  return {
    name: 'workspaces-service-worker',
    apply: 'build',
    writeBundle(options, bundle) {
      if (this.environment.name !== 'client' || !options.dir) return
      const file = path.join(options.dir, 'sw.js')
      if (!existsSync(file)) return
      const assets = Object.keys(bundle)
        .filter((name) => name.startsWith('assets/'))
        .sort()
        .map((name) => `/${name}`)
      const id = createHash('sha256').update(assets.join('\n')).digest('hex').slice(0, 12)
      const source = readFileSync(file, 'utf8')
      if (!source.includes(SERVICE_WORKER_MARKER)) this.error(`public/sw.js lost its marker: ${SERVICE_WORKER_MARKER}`)
      writeFileSync(file, source.replace(SERVICE_WORKER_MARKER, `const BUILD = ${JSON.stringify({ id, assets })}`))
    },
  }
}

export default defineConfig({
  server: { port: Number(process.env.PORT ?? 3000) },
  plugins: [devSyncServer(), serviceWorkerBuild(), tailwindcss(), tanstackStart({ srcDirectory: 'app' }), viteReact()],
})
