import { spawnSync } from 'node:child_process'

/** Builds the app once for the whole end-to-end run, as `npm start` would. */
export default function setup() {
  if (process.env.E2E_SKIP_BUILD) return
  const build = spawnSync('npm', ['run', 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'production' },
  })
  if (build.status !== 0) throw new Error('npm run build failed')
}
