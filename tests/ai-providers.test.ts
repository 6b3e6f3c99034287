import { APICallError, generateText, streamText } from 'ai'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { createModelProvider, type ProviderEnv } from '../app/server/ai/providers'
import { DEMO_LABEL } from '../app/server/ai/demo-model'
import { tokensForChars } from '../app/server/ai/prompt'
import { AppError } from '../shared/errors'
import {
  costMicros,
  DEMO_MODEL_ID,
  estimateMaxCostMicros,
  findModel,
  listModels,
  type ModelEntry,
  modelIdInput,
  resolveModelId,
} from '../shared/models'
import { startFakeAnthropic } from './helpers/fake-anthropic'
import { type FakeServer, startFakeOpenAI } from './helpers/fake-openai'

function model(id: string): ModelEntry {
  const entry = findModel(id)
  if (!entry) throw new Error(`No model ${id}`)
  return entry
}

/** Reads a stream to its end, keeping each delta, when it came, and what the iteration threw, if anything. */
async function drain(result: { textStream: AsyncIterable<string> }, onDelta?: (delta: string) => void) {
  const deltas: string[] = []
  const times: number[] = []
  let thrown: unknown = null
  try {
    for await (const delta of result.textStream) {
      deltas.push(delta)
      times.push(performance.now())
      onDelta?.(delta)
    }
  } catch (error) {
    thrown = error
  }
  return { deltas, times, thrown }
}

const providers = [
  {
    name: 'OpenAI-compatible',
    start: startFakeOpenAI,
    env: (url: string): ProviderEnv => ({ OPENAI_BASE_URL: url, OPENAI_API_KEY: 'sk-test' }),
    entry: model('openai:gpt-4o-mini'),
    path: '/v1/chat/completions',
    keyHeader: (headers: Record<string, unknown>) => headers.authorization,
    expectedKey: 'Bearer sk-test',
    // Without this the Chat Completions API sends no usage when streaming.
    usageRequested: (body: any) => body.stream_options?.include_usage === true,
  },
  {
    name: 'Anthropic',
    start: startFakeAnthropic,
    env: (url: string): ProviderEnv => ({ ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'ak-test' }),
    entry: model('anthropic:claude-3-5-haiku-latest'),
    path: '/v1/messages',
    keyHeader: (headers: Record<string, unknown>) => headers['x-api-key'],
    expectedKey: 'ak-test',
    // The Messages API always reports usage in its stream.
    usageRequested: () => true,
  },
]

describe.each(providers)('$name through the AI SDK', (p) => {
  let fake: FakeServer
  let llm: ReturnType<ReturnType<typeof createModelProvider>['languageModel']>

  beforeAll(async () => {
    fake = await p.start()
    llm = createModelProvider(p.env(fake.url)).languageModel(p.entry)
  })
  afterAll(() => fake.close())
  beforeEach(() => {
    fake.script({})
    fake.requests.length = 0
  })

  it('streams the text in its chunks, in order, as they arrive', async () => {
    const chunks = ['The', ' quick', ' brown', ' fox']
    fake.script({ chunks, delayMs: 40 })
    const result = streamText({ model: llm, prompt: 'Say it', maxRetries: 0 })
    const { deltas, times } = await drain(result)

    expect(deltas).toEqual(chunks)
    // Three pauses of 40 ms between the first and last delta: the answer was streamed, not buffered.
    expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(80)
    const request = fake.requests[0]
    expect(request.path).toBe(p.path)
    expect(request.body.model).toBe(p.entry.providerModel)
    expect(request.body.stream).toBe(true)
    expect(p.keyHeader(request.headers)).toBe(p.expectedKey)
    expect(request.clientDisconnected).toBe(false)
  })

  it('reports the usage the provider sent', async () => {
    fake.script({ usage: { inputTokens: 123, outputTokens: 45 } })
    let ended: { inputTokens?: number; outputTokens?: number } | undefined
    const result = streamText({
      model: llm,
      prompt: 'Count',
      maxRetries: 0,
      onEnd: ({ usage }) => {
        ended = usage
      },
    })
    const usage = await result.usage
    expect(p.usageRequested(fake.requests[0].body)).toBe(true)
    expect(usage.inputTokens).toBe(123)
    expect(usage.outputTokens).toBe(45)
    expect(usage.totalTokens).toBe(168)
    expect(ended).toMatchObject({ inputTokens: 123, outputTokens: 45 })
  })

  it('answers without streaming for generateText (title generation)', async () => {
    fake.script({ chunks: ['A short', ' title'], usage: { inputTokens: 30, outputTokens: 3 } })
    const result = await generateText({ model: llm, prompt: 'Title this', maxRetries: 0 })
    expect(result.text).toBe('A short title')
    expect(result.usage.inputTokens).toBe(30)
    expect(result.usage.outputTokens).toBe(3)
    expect(fake.requests[0].body.stream).toBeFalsy()
  })

  it('surfaces an HTTP error as an error, promptly', async () => {
    fake.script({ status: 400, errorMessage: 'model is not loaded' })
    const errors: unknown[] = []
    const result = streamText({
      model: llm,
      prompt: 'Hi',
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    })
    const { deltas, thrown } = await drain(result)

    // Before any text, the error goes to onError and the stream just ends; the result promises reject.
    expect(deltas).toEqual([])
    expect(thrown).toBeNull()
    await expect(result.text).rejects.toThrow(/No output generated/)
    expect(errors).toHaveLength(1)
    expect(APICallError.isInstance(errors[0])).toBe(true)
    const error = errors[0] as APICallError
    expect(error.statusCode).toBe(400)
    expect(error.message).toContain('model is not loaded')
    await expect(generateText({ model: llm, prompt: 'Hi', maxRetries: 0 })).rejects.toMatchObject({
      statusCode: 400,
    })
  })

  it('retries a 5xx only as often as maxRetries allows', async () => {
    fake.script({ status: 503, errorMessage: 'overloaded' })
    await expect(generateText({ model: llm, prompt: 'Hi', maxRetries: 0 })).rejects.toMatchObject({ statusCode: 503 })
    expect(fake.calls()).toBe(1)

    fake.script({})
    fake.script({ status: 503, errorMessage: 'overloaded', retryAfterMs: 10 }, { once: true })
    const result = await generateText({ model: llm, prompt: 'Hi', maxRetries: 1 })
    expect(result.text).toBe('Hello from the fake')
    expect(fake.calls()).toBe(3)
  })

  it('throws from the stream when the connection is lost mid-answer, after the text so far', async () => {
    fake.script({ chunks: ['one', ' two', ' three', ' four'], dropAfter: 2 })
    const errors: unknown[] = []
    const result = streamText({
      model: llm,
      prompt: 'Hi',
      maxRetries: 0,
      onError: ({ error }) => void errors.push(error),
    })
    const { deltas, thrown } = await drain(result)

    expect(deltas).toEqual(['one', ' two'])
    // Unlike an HTTP error, this one is thrown by the iteration and never reaches onError.
    expect(APICallError.isInstance(thrown)).toBe(true)
    expect(errors).toEqual([])
    await expect(result.usage).rejects.toBe(thrown)
    expect(fake.calls()).toBe(1)
  })

  it('stops the request on abort, and the provider sees the disconnect', async () => {
    fake.script({ chunks: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 50 })
    const controller = new AbortController()
    let aborted = false
    const result = streamText({
      model: llm,
      prompt: 'Hi',
      maxRetries: 0,
      abortSignal: controller.signal,
      onAbort: () => {
        aborted = true
      },
    })
    const { deltas, thrown } = await drain(result, () => controller.abort())

    expect(deltas).toEqual(['a'])
    expect(thrown).toBeNull()
    expect(aborted).toBe(true)
    await expect(result.usage).rejects.toThrow(/aborted/)
    await vi.waitFor(() => expect(fake.requests[0].clientDisconnected).toBe(true))
  })

  it('ends a hung stream at the timeout, and the provider sees the disconnect', async () => {
    fake.script({ chunks: ['first', ' never'], hangAfter: 1 })
    const errors: unknown[] = []
    let abortReason: unknown = null
    const started = performance.now()
    const result = streamText({
      model: llm,
      prompt: 'Hi',
      maxRetries: 0,
      timeout: 300,
      onError: ({ error }) => void errors.push(error),
      onAbort: ({ reason }) => {
        abortReason = reason
      },
    })
    const { deltas, thrown } = await drain(result)

    expect(deltas).toEqual(['first'])
    expect(performance.now() - started).toBeLessThan(5_000)
    // A timeout looks like an abort (onAbort, a quiet end), told apart only by the reason.
    expect(thrown).toBeNull()
    expect(errors).toEqual([])
    expect(abortReason).toMatchObject({ name: 'TimeoutError' })
    await vi.waitFor(() => expect(fake.requests[0].clientDisconnected).toBe(true))
  })
})

describe('the demo model', () => {
  const demo = model(DEMO_MODEL_ID)

  it('streams a labelled answer echoing the question, in several chunks, with usage', async () => {
    const llm = createModelProvider({}, { demoDelayMs: 0 }).languageModel(demo)
    const prompt = 'What is the capital of France?'
    const result = streamText({ model: llm, system: 'Be brief.', prompt })
    const { deltas } = await drain(result)
    const text = deltas.join('')

    expect(deltas.length).toBeGreaterThan(2)
    expect(text.startsWith(DEMO_LABEL)).toBe(true)
    expect(text).toContain(prompt)
    const usage = await result.usage
    expect(usage.inputTokens).toBe(tokensForChars('Be brief.'.length + prompt.length))
    expect(usage.outputTokens).toBe(tokensForChars(text.length))
    expect(usage.outputTokens).toBeGreaterThan(0)
  })

  it('ends the answer early through streamText on abort', async () => {
    const llm = createModelProvider({}, { demoDelayMs: 20 }).languageModel(demo)
    const controller = new AbortController()
    let aborted = false
    const result = streamText({
      model: llm,
      prompt: 'Tell me a long story about a lighthouse keeper and the sea',
      abortSignal: controller.signal,
      onAbort: () => {
        aborted = true
      },
    })
    const { deltas } = await drain(result, () => controller.abort())

    expect(deltas).toHaveLength(1)
    expect(aborted).toBe(true)
  })

  it('ends its own stream on abort, without further text or a finish', async () => {
    const llm = createModelProvider({}, { demoDelayMs: 20 }).languageModel(demo)
    const controller = new AbortController()
    const { stream } = await llm.doStream({
      prompt: [{ role: 'user', content: [{ type: 'text', text: 'A question long enough for many chunks to follow' }] }],
      abortSignal: controller.signal,
    })
    const after: string[] = []
    const reader = stream.getReader()
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      if (controller.signal.aborted) after.push(part.value.type)
      else if (part.value.type === 'text-delta') controller.abort()
    }
    expect(controller.signal.aborted).toBe(true)
    expect(after).toEqual([])
  })

  it('keeps within maxOutputTokens', async () => {
    const llm = createModelProvider({}, { demoDelayMs: 0 }).languageModel(demo)
    const result = await generateText({ model: llm, prompt: 'Hello there', maxOutputTokens: 5 })
    expect(result.text).toBe(DEMO_LABEL.slice(0, 20))
    expect(result.finishReason).toBe('length')
    expect(result.usage.outputTokens).toBe(5)
  })

  it('answers generateText with the label and non-zero usage', async () => {
    const llm = createModelProvider({}).languageModel(demo)
    const result = await generateText({ model: llm, prompt: 'Name this chat' })
    expect(result.text.startsWith(DEMO_LABEL)).toBe(true)
    expect(result.text).toContain('Name this chat')
    expect(result.usage.inputTokens).toBe(tokensForChars('Name this chat'.length))
    expect(result.usage.outputTokens).toBeGreaterThan(0)
  })
})

describe('provider availability', () => {
  const openai = model('openai:gpt-4o')
  const anthropic = model('anthropic:claude-sonnet-4-0')
  const demo = model(DEMO_MODEL_ID)

  it.each([
    { env: {}, openai: false, anthropic: false },
    { env: { OPENAI_API_KEY: 'k' }, openai: true, anthropic: false },
    { env: { OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, openai: true, anthropic: false },
    { env: { ANTHROPIC_API_KEY: 'k' }, openai: false, anthropic: true },
    { env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1/v1' }, openai: false, anthropic: false },
  ])('with $env: openai $openai, anthropic $anthropic, demo always', (row) => {
    const provider = createModelProvider(row.env)
    expect(provider.isAvailable(openai)).toBe(row.openai)
    expect(provider.isAvailable(anthropic)).toBe(row.anthropic)
    expect(provider.isAvailable(demo)).toBe(true)
  })

  it('refuses a model whose provider is not configured', () => {
    const provider = createModelProvider({ OPENAI_API_KEY: 'k' })
    expect(() => provider.languageModel(anthropic)).toThrow(AppError)
    expect(provider.languageModel(openai).modelId).toBe('gpt-4o')
  })

  it('calls a keyless local server without failing on the missing key', async () => {
    const fake = await startFakeOpenAI({ chunks: ['local'] })
    try {
      const llm = createModelProvider({ OPENAI_BASE_URL: fake.url }).languageModel(model('openai:llama3.2:3b'))
      const result = await generateText({ model: llm, prompt: 'Hi', maxRetries: 0 })
      expect(result.text).toBe('local')
      expect(fake.requests[0].body.model).toBe('llama3.2:3b')
    } finally {
      await fake.close()
    }
  })

  it('lists only the catalog models of configured providers', () => {
    const ids = listModels(createModelProvider({ ANTHROPIC_API_KEY: 'k' }).isAvailable).map((m) => m.id)
    expect(ids).toEqual(['anthropic:claude-3-5-haiku-latest', 'anthropic:claude-sonnet-4-0', DEMO_MODEL_ID])
  })
})

describe('resolveModelId', () => {
  const both = (e: ModelEntry) => e.provider !== 'demo'
  const openaiOnly = (e: ModelEntry) => e.provider === 'openai'
  const anthropicOnly = (e: ModelEntry) => e.provider === 'anthropic'
  const none = () => false

  it.each([
    {
      why: 'the chat wins',
      choices: {
        chat: 'openai:gpt-4o',
        sidekiq: 'openai:gpt-4.1-mini',
        member: 'anthropic:claude-sonnet-4-0',
        workspace: 'openai:gpt-4o-mini',
      },
      available: both,
      expected: 'openai:gpt-4o',
    },
    {
      why: 'then the sidekiq',
      choices: { chat: null, sidekiq: 'openai:gpt-4.1-mini', member: 'anthropic:claude-sonnet-4-0' },
      available: both,
      expected: 'openai:gpt-4.1-mini',
    },
    {
      why: 'then the member default',
      choices: { member: 'anthropic:claude-sonnet-4-0', workspace: 'openai:gpt-4o' },
      available: both,
      expected: 'anthropic:claude-sonnet-4-0',
    },
    {
      why: 'then the workspace default',
      choices: { workspace: 'openai:gpt-4o' },
      available: both,
      expected: 'openai:gpt-4o',
    },
    { why: 'then the built-in default', choices: {}, available: both, expected: 'openai:gpt-4o-mini' },
    {
      why: 'the built-in default falls to Anthropic without OpenAI',
      choices: {},
      available: anthropicOnly,
      expected: 'anthropic:claude-3-5-haiku-latest',
    },
    { why: 'and to demo with nothing configured', choices: {}, available: none, expected: DEMO_MODEL_ID },
    {
      why: 'a chat pinned to an unavailable provider falls through',
      choices: { chat: 'anthropic:claude-sonnet-4-0', sidekiq: 'openai:gpt-4o' },
      available: openaiOnly,
      expected: 'openai:gpt-4o',
    },
    {
      why: 'unknown ids are skipped',
      choices: { chat: 'mistral:large', sidekiq: 'anthropic:claude-9', member: '', workspace: 'openai:gpt-4o' },
      available: both,
      expected: 'openai:gpt-4o',
    },
    {
      why: 'any openai: name is accepted when OpenAI-compatible is configured',
      choices: { chat: 'openai:custom-name', workspace: 'openai:gpt-4o' },
      available: openaiOnly,
      expected: 'openai:custom-name',
    },
    {
      why: 'but not without it',
      choices: { chat: 'openai:custom-name' },
      available: anthropicOnly,
      expected: 'anthropic:claude-3-5-haiku-latest',
    },
    { why: 'demo chosen explicitly', choices: { chat: DEMO_MODEL_ID }, available: both, expected: DEMO_MODEL_ID },
  ])('$why', ({ choices, available, expected }) => {
    expect(resolveModelId(choices, available).id).toBe(expected)
  })

  it('synthesises a free, small entry for an unknown OpenAI-compatible name', () => {
    expect(findModel('openai:custom-name')).toEqual({
      id: 'openai:custom-name',
      provider: 'openai',
      providerModel: 'custom-name',
      label: 'custom-name',
      contextWindow: 8192,
      inputMicrosPerMillion: 0,
      outputMicrosPerMillion: 0,
    })
    expect(findModel('openai:')).toBeNull()
    expect(findModel('openai:bad name')).toBeNull()
    expect(findModel('anthropic:unknown')).toBeNull()
  })

  it('validates ids at boundaries', () => {
    expect(modelIdInput.parse(' openai:gpt-4o ')).toBe('openai:gpt-4o')
    expect(modelIdInput.safeParse('openai:a b').success).toBe(false)
    expect(modelIdInput.safeParse('').success).toBe(false)
    expect(modelIdInput.safeParse('x'.repeat(201)).success).toBe(false)
  })
})

describe('costMicros', () => {
  it.each([
    { id: 'openai:gpt-4o-mini', input: 1000, output: 500, expected: 450 },
    { id: 'anthropic:claude-sonnet-4-0', input: 1_234_567, output: 89_012, expected: 5_038_881 },
    // 12.4 micros rounds up: metering never undercharges.
    { id: 'openai:gpt-4.1-mini', input: 3, output: 7, expected: 13 },
    { id: DEMO_MODEL_ID, input: 1, output: 1, expected: 1 },
    { id: DEMO_MODEL_ID, input: 0, output: 0, expected: 0 },
    { id: 'openai:custom-name', input: 50_000, output: 50_000, expected: 0 },
    // Beyond 2^53 in the intermediate product, still exact.
    { id: 'openai:gpt-4o', input: 4_000_000_000, output: 1_000_000_000, expected: 20_000_000_000 },
  ])('$id: $input in, $output out = $expected', ({ id, input, output, expected }) => {
    expect(costMicros(model(id), { inputTokens: input, outputTokens: output })).toBe(expected)
  })

  it('refuses token counts that are not non-negative integers', () => {
    expect(() => costMicros(model(DEMO_MODEL_ID), { inputTokens: -1, outputTokens: 0 })).toThrow(AppError)
    expect(() => costMicros(model(DEMO_MODEL_ID), { inputTokens: 1.5, outputTokens: 0 })).toThrow(AppError)
  })

  it('estimates the most a call may cost from its input and output cap', () => {
    expect(estimateMaxCostMicros(model('anthropic:claude-3-5-haiku-latest'), 2_000, 1_000)).toBe(5_600)
  })
})
