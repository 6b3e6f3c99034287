/**
 * Time to first token through the server versus calling the provider
 * directly, each part in its own process as in production: the fake OpenAI
 * server (a provider is elsewhere), the app server (ttft-server.ts), and
 * this process as the people using it.
 *
 * Direct: the production OpenAI client against the fake server, from the
 * call to the first text delta. Through the server: from sending
 * POST /generate to the first words of the answer arriving at another
 * member's WebsocketProvider (HTTP, session, authorization, quota
 * reservation in PostgreSQL, the provider call, the first words stored and
 * broadcast). Prints figures; asserts nothing.
 */
import { SERVER_NODE_FLAGS } from '../helpers/node-flags'
import { streamText } from 'ai'
import type * as Y from 'yjs'
import { createModelProvider } from '../../app/server/ai/providers'
import { appendMessage, createChat, getChat, LOCAL_ORIGIN, setChatModel } from '../../shared/doc'
import { findModel } from '../../shared/models'
import { synced } from '../sync/sync-clients'
import { connectPeer } from '../sync/sync-harness'
import { startProcess, stopper } from './servers'
import { ms, percentile } from './stats'

const SAMPLES = Number(process.env.BENCH_TTFT_SAMPLES ?? 200)
const WARM_UP = 20
const MODEL = 'openai:gpt-4o-mini'

interface ServerInfo {
  api: string
  sync: string
  origin: string
  workspaceId: string
  room: string
  asker: { id: string; cookie: string; token: string }
  watcher: { token: string }
}

/** Resolves with the time `ready(doc)` first holds, checked after each update. */
function whenDoc(doc: Y.Doc, ready: (doc: Y.Doc) => boolean): Promise<number> {
  return new Promise((resolve) => {
    if (ready(doc)) return resolve(performance.now())
    const check = () => {
      if (!ready(doc)) return
      doc.off('update', check)
      resolve(performance.now())
    }
    doc.on('update', check)
  })
}

export async function runTtftBench() {
  // A fresh PostgreSQL database per run, as the tests make them.
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'
  const fake = await startProcess(
    'fake provider',
    ['--import', 'tsx', 'tests/bench/fake-openai-process.ts'],
    {},
    /^fake-openai (\S+)$/m,
  )
  const fakeUrl = fake.ready[1]
  const server = await startProcess(
    'ttft server',
    // BENCH_SERVER_FLAGS: extra node flags for the server only (say, --cpu-prof).
    [
      ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
      ...SERVER_NODE_FLAGS,
      'tests/bench/ttft-server.ts',
    ],
    { OPENAI_BASE_URL: fakeUrl },
    /^ttft-server (.+)$/m,
  )
  const info = JSON.parse(server.ready[1]) as ServerInfo
  const peers: { destroy(): void }[] = []
  try {
    const entry = findModel(MODEL)!
    const provider = createModelProvider({ OPENAI_BASE_URL: fakeUrl, OPENAI_API_KEY: 'bench' })
    const direct: number[] = []
    for (let i = 0; i < SAMPLES + WARM_UP; i++) {
      const started = performance.now()
      const result = streamText({
        model: provider.languageModel(entry),
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        maxRetries: 0,
        onError: () => {},
      })
      // Read to the end, as the server does, so the connection is reused as it is there.
      let first = 0
      for await (const part of result.stream) {
        if (part.type === 'text-delta' && !first) first = performance.now()
      }
      if (i >= WARM_UP) direct.push(first - started)
    }

    const asker = connectPeer({ url: info.sync }, info.room, info.asker.token)
    const watcher = connectPeer({ url: info.sync }, info.room, info.watcher.token)
    peers.push(asker, watcher)
    await Promise.all([synced(asker), synced(watcher)])
    const viaServer: number[] = []
    for (let i = 0; i < SAMPLES + WARM_UP; i++) {
      // A chat per answer, as in use: the peer's check reads two messages, not hundreds.
      const chat = createChat(asker.doc, { title: '', createdBy: info.asker.id }, LOCAL_ORIGIN)
      setChatModel(asker.doc, chat.id, MODEL)
      const question = appendMessage(asker.doc, chat.id, {
        role: 'user',
        authorId: info.asker.id,
        content: 'What is the capital of France?',
      })
      // The server broadcasts only what it has stored: seen by the watcher, the question is held.
      await whenDoc(watcher.doc, (d) => !!getChat(d, chat.id)?.messages.some((m) => m.id === question.id))
      const generationId = `ttft-${i}`
      const answer = (d: Y.Doc) => getChat(d, chat.id)?.messages.find((m) => m.id === generationId)
      const firstWords = whenDoc(watcher.doc, (d) => !!answer(d)?.content)
      // Ended and titled: nothing of this answer is still running when the next one starts.
      const finished = whenDoc(watcher.doc, (d) => answer(d)?.status === 'done' && !!getChat(d, chat.id)?.title)
      const started = performance.now()
      const res = await fetch(`${info.api}/api/workspaces/${info.workspaceId}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: info.asker.cookie, origin: info.origin },
        body: JSON.stringify({ room: info.room, chatId: chat.id, generationId }),
      })
      if (res.status !== 202) throw new Error(`generate answered ${res.status}: ${await res.text()}`)
      await res.body?.cancel()
      const at = await firstWords
      if (i >= WARM_UP) viaServer.push(at - started)
      await finished
    }

    const overhead = percentile(viaServer, 50) - percentile(direct, 50)
    console.log(
      `\ntime to first token (${SAMPLES} answers each, after ${WARM_UP} warm-up; server and provider in their own processes)`,
    )
    console.log(`  ${'metric'.padEnd(34)}${'p50'.padStart(10)}${'p99'.padStart(10)}`)
    console.log(
      `  ${'provider called directly'.padEnd(34)}${ms(percentile(direct, 50)).padStart(10)}${ms(percentile(direct, 99)).padStart(10)}`,
    )
    console.log(
      `  ${'through the server, seen by a peer'.padEnd(34)}${ms(percentile(viaServer, 50)).padStart(10)}${ms(percentile(viaServer, 99)).padStart(10)}`,
    )
    console.log(`  server overhead p50: ${ms(overhead)} (goal: under 10 ms)`)
  } finally {
    for (const peer of peers) peer.destroy()
    await stopper(server)()
    await stopper(fake)()
  }
}
