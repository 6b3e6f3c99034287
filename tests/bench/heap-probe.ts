import { BenchClient } from './clients'
import { createBenchDatabase, startOurs } from './servers'
const N = Number(process.argv[2] ?? 3000)
const db = await createBenchDatabase(N / 5)
const ours = await startOurs(db)
const warm = new BenchClient()
await warm.connect(`${ours.base}/w/${db.workspaceIds[0]}?token=${db.token}`)
warm.close()
await new Promise((r) => setTimeout(r, 2000))
process.kill(ours.pid, 'SIGUSR2')
await new Promise((r) => setTimeout(r, 15000))
const clients: BenchClient[] = []
for (let i = 0; i < N; i += 100) {
  await Promise.all(
    Array.from({ length: 100 }, (_, j) => {
      const c = new BenchClient()
      clients.push(c)
      return c.connect(`${ours.base}/w/${db.workspaceIds[Math.floor((i + j) / 5)]}?token=${db.token}`)
    }),
  )
}
await new Promise((r) => setTimeout(r, 5000))
console.log(
  'rss',
  ours.rssBytes() / 1e6,
  Object.fromEntries([...(await ours.metrics!())].filter(([k]) => k.startsWith('nodejs_heap'))),
)
process.kill(ours.pid, 'SIGUSR2')
await new Promise((r) => setTimeout(r, 20000))
for (const c of clients) c.close()
await ours.stop()
await db.drop()
