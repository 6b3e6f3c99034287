/**
 * The server side of the time-to-first-token bench, in a process of its own
 * as in production: the app's API (the same handler the server mounts) over
 * HTTP, a sync node, AI answers wired to the model provider at
 * OPENAI_BASE_URL, over a fresh PostgreSQL database built by the real
 * migrations. Sets up a team workspace on the team plan and prints one line,
 * `ttft-server {json}`, with what the bench's clients need.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { toNodeHandler } from 'srvx/node'
import { startAi } from '../helpers/ai-harness'
import { BASE_URL, createHarness } from '../helpers/harness'
import { setPlan } from '../helpers/fixtures'
import { sessionToken } from '../sync/sync-harness'
import { teamWithEveryRole } from '../sync/sync-clients'

const h = await createHarness({ OPENAI_BASE_URL: process.env.OPENAI_BASE_URL, OPENAI_API_KEY: 'bench' })
const ai = await startAi(h)
const team = await teamWithEveryRole(h)
await setPlan(h, team.ws.id, 'team')

// The harness's handler serves requests addressed to BASE_URL (its same-origin check uses it).
const handle = toNodeHandler(async (request: Request) => {
  const url = new URL(request.url)
  return h.fetchApi(url.pathname + url.search, {
    method: request.method,
    headers: request.headers,
    body: request.method === 'GET' ? undefined : await request.text(),
  })
}) as (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>

const server = http.createServer((req, res) => void handle(req, res))
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo

console.log(
  `ttft-server ${JSON.stringify({
    api: `http://127.0.0.1:${port}`,
    sync: ai.node.url,
    origin: BASE_URL,
    workspaceId: team.ws.id,
    room: team.shared,
    asker: {
      id: team.byRole.member.user!.id,
      cookie: team.byRole.member.cookie,
      token: sessionToken(team.byRole.member),
    },
    watcher: { token: sessionToken(team.byRole.admin) },
  })}`,
)

process.on('SIGTERM', () => {
  void (async () => {
    await ai.stop()
    server.closeAllConnections()
    server.close()
    await h.close()
    process.exit(0)
  })()
})
