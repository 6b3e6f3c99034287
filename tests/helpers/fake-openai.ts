import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local server speaking OpenAI's Chat Completions wire protocol (JSON and
 * SSE), so provider code is tested through the real AI SDK client and a real
 * socket. Only third-party HTTP is faked.
 */
export interface FakeBehaviour {
  /** Text sent as one delta each, in order. */
  chunks?: string[]
  /** Pause before each chunk after the first, ms. */
  delayMs?: number
  /** Usage the fake reports. */
  usage?: { inputTokens: number; outputTokens: number }
  /** Answer with this HTTP status and a JSON error body instead. */
  status?: number
  errorMessage?: string
  /** With `status`: a `retry-after-ms` header, which the AI SDK honours instead of its seconds-long backoff. */
  retryAfterMs?: number
  /** Destroy the socket after this many chunks (a connection lost mid-answer). */
  dropAfter?: number
  /** Send nothing more after this many chunks, keeping the connection open. */
  hangAfter?: number
}

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingHttpHeaders
  body: any
  /** The client went away before the response ended (an abort or a timeout). */
  clientDisconnected: boolean
}

export interface FakeServer {
  /** Base URL including /v1. */
  url: string
  requests: RecordedRequest[]
  calls(): number
  /** Sets the behaviour of every later response, or with `once` of the next one only. */
  script(behaviour: FakeBehaviour, options?: { once?: boolean }): void
  close(): Promise<void>
}

export const DEFAULT_BEHAVIOUR = {
  chunks: ['Hello', ' from', ' the', ' fake'],
  delayMs: 0,
  usage: { inputTokens: 11, outputTokens: 7 },
} satisfies FakeBehaviour

/** What differs between the fakes: how to answer a request, and the shape of an error body. */
export interface WireProtocol {
  respond(req: RecordedRequest, behaviour: FakeBehaviour & typeof DEFAULT_BEHAVIOUR, res: ServerResponse): Promise<void>
  errorBody(message: string): unknown
}

/** The scripted HTTP server both fakes share. */
export async function startScriptedServer(protocol: WireProtocol, initial?: FakeBehaviour): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const once: FakeBehaviour[] = []
  let always: FakeBehaviour = initial ?? {}

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req)
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: raw ? JSON.parse(raw) : null,
      clientDisconnected: false,
    }
    requests.push(recorded)
    res.on('close', () => {
      // A socket this fake destroyed on purpose is not the client leaving.
      if (!res.writableFinished && !dropped.has(res)) recorded.clientDisconnected = true
    })
    const behaviour = { ...DEFAULT_BEHAVIOUR, ...(once.shift() ?? always) }
    if (behaviour.status) {
      const retry = behaviour.retryAfterMs === undefined ? {} : { 'retry-after-ms': String(behaviour.retryAfterMs) }
      res.writeHead(behaviour.status, { 'content-type': 'application/json', ...retry })
      res.end(JSON.stringify(protocol.errorBody(behaviour.errorMessage ?? 'Fake failure')))
      return
    }
    await protocol.respond(recorded, behaviour, res)
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    calls: () => requests.length,
    script(behaviour, options = {}) {
      if (options.once) once.push(behaviour)
      else always = behaviour
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

const dropped = new WeakSet<ServerResponse>()

/**
 * Streams `chunks` through `write`, obeying the drop and hang scripts.
 * Returns false when the stream was cut short, so the caller sends no ending.
 */
export async function streamChunks(
  res: ServerResponse,
  behaviour: FakeBehaviour & typeof DEFAULT_BEHAVIOUR,
  write: (chunk: string) => void,
): Promise<boolean> {
  for (const [i, chunk] of behaviour.chunks.entries()) {
    if (behaviour.dropAfter === i) {
      // Let what was written reach the client first, or the cut would hide it.
      await new Promise<void>((resolve) => res.write('', () => resolve()))
      dropped.add(res)
      res.destroy()
      return false
    }
    if (behaviour.hangAfter === i) return false
    if (i > 0 && behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs))
    if (res.destroyed) return false
    write(chunk)
  }
  return true
}

/** A non-streaming answer obeys drop and hang too, so generateText can be tested against them. */
export function cutShort(res: ServerResponse, behaviour: FakeBehaviour): boolean {
  if (behaviour.dropAfter !== undefined) {
    dropped.add(res)
    res.destroy()
    return true
  }
  return behaviour.hangAfter !== undefined
}

export function sse(res: ServerResponse, event: string | null, data: unknown): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
  res.flushHeaders()
}

/** A request's whole body as text (the fakes' servers share it). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (part: Buffer) => parts.push(part))
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')))
    req.on('error', reject)
  })
}

const openAI: WireProtocol = {
  async respond(req, behaviour, res) {
    const model = req.body?.model ?? 'unknown'
    const usage = {
      prompt_tokens: behaviour.usage.inputTokens,
      completion_tokens: behaviour.usage.outputTokens,
      total_tokens: behaviour.usage.inputTokens + behaviour.usage.outputTokens,
    }
    const base = { id: 'chatcmpl-fake', created: Math.floor(Date.now() / 1000), model }

    if (!req.body?.stream) {
      if (cutShort(res, behaviour)) return
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: behaviour.chunks.join('') },
              finish_reason: 'stop',
            },
          ],
          usage,
        }),
      )
      return
    }

    const chunk = (delta: object, finish: string | null = null) => ({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, finish_reason: finish }],
    })
    startSse(res)
    sse(res, null, chunk({ role: 'assistant', content: '' }))
    const complete = await streamChunks(res, behaviour, (content) => sse(res, null, chunk({ content })))
    if (!complete) return
    sse(res, null, chunk({}, 'stop'))
    if (req.body.stream_options?.include_usage) {
      sse(res, null, { ...base, object: 'chat.completion.chunk', choices: [], usage })
    }
    sse(res, null, '[DONE]')
    res.end()
  },
  errorBody: (message) => ({ error: { message, type: 'invalid_request_error', param: null, code: null } }),
}

export function startFakeOpenAI(behaviour?: FakeBehaviour): Promise<FakeServer> {
  return startScriptedServer(openAI, behaviour)
}
