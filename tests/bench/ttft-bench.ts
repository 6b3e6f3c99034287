/**
 * Time to first token through the server versus calling the provider
 * directly. Direct: the production OpenAI client against the fake OpenAI
 * server, from the call to the first text delta. Through the server: from
 * POST /generate to the first words of the answer arriving at another
 * member's WebsocketProvider (authorization, quota reservation in
 * PostgreSQL, the pending message stored and broadcast, the provider call,
 * the first words stored and broadcast). Prints figures; asserts nothing.
 */
import { streamText } from 'ai'
import { createModelProvider } from '../../app/server/ai/providers'
import { findModel } from '../../shared/models'
import { askInRoom, joinRoom, messageIn, startAi } from '../helpers/ai-harness'
import { startFakeOpenAI } from '../helpers/fake-openai'
import { setPlan } from '../helpers/fixtures'
import { createHarness } from '../helpers/harness'
import { teamWithEveryRole } from '../sync/sync-clients'
import { ms, percentile } from './stats'

const SAMPLES = Number(process.env.BENCH_TTFT_SAMPLES ?? 200)
const MODEL = 'openai:gpt-4o-mini'

export async function runTtftBench() {
  // A fresh PostgreSQL database per run, as the tests make them.
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'
  const fake = await startFakeOpenAI({ chunks: ['Hello', ' world'], delayMs: 0 })
  const h = await createHarness({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench' })
  const ai = await startAi(h)
  try {
    const entry = findModel(MODEL)!
    const provider = createModelProvider({ OPENAI_BASE_URL: fake.url, OPENAI_API_KEY: 'bench' })
    const direct: number[] = []
    for (let i = 0; i < SAMPLES + 20; i++) {
      const started = performance.now()
      const result = streamText({
        model: provider.languageModel(entry),
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        maxRetries: 0,
        onError: () => {},
      })
      for await (const part of result.stream) {
        if (part.type === 'text-delta') {
          if (i >= 20) direct.push(performance.now() - started)
          break
        }
      }
    }

    const team = await teamWithEveryRole(h)
    await setPlan(h, team.ws.id, 'team')
    const asker = await joinRoom(ai.node, team.shared, team.byRole.member)
    const watcher = await joinRoom(ai.node, team.shared, team.byRole.admin)
    const viaServer: number[] = []
    for (let i = 0; i < SAMPLES + 20; i++) {
      // A chat per answer, as in use: the peer's check reads two messages, not hundreds.
      const { chatId } = await askInRoom(ai.node, asker, team.shared, { model: MODEL, title: 'Bench', author: 'm' })
      const generationId = `ttft-${i}`
      const firstWords = new Promise<number>((resolve) => {
        const check = () => {
          if (messageIn(watcher.doc, chatId, generationId)?.content) {
            watcher.doc.off('update', check)
            resolve(performance.now())
          }
        }
        watcher.doc.on('update', check)
      })
      const started = performance.now()
      const res = await team.byRole.member.post(`/api/workspaces/${team.ws.id}/generate`, {
        room: team.shared,
        chatId,
        generationId,
      })
      if (res.status !== 202) throw new Error(`generate answered ${res.status}: ${JSON.stringify(res.body)}`)
      const at = await firstWords
      if (i >= 20) viaServer.push(at - started)
      await ai.ai.registry.settled()
    }
    asker.destroy()
    watcher.destroy()

    const overhead = percentile(viaServer, 50) - percentile(direct, 50)
    console.log(`\ntime to first token (${SAMPLES} answers each, after 20 warm-up)`)
    console.log(`  ${'metric'.padEnd(34)}${'p50'.padStart(10)}${'p99'.padStart(10)}`)
    console.log(
      `  ${'provider called directly'.padEnd(34)}${ms(percentile(direct, 50)).padStart(10)}${ms(percentile(direct, 99)).padStart(10)}`,
    )
    console.log(
      `  ${'through the server, seen by a peer'.padEnd(34)}${ms(percentile(viaServer, 50)).padStart(10)}${ms(percentile(viaServer, 99)).padStart(10)}`,
    )
    console.log(`  server overhead p50: ${ms(overhead)} (goal: under 10 ms)`)
  } finally {
    await ai.stop()
    await h.close()
    await fake.close()
  }
}
