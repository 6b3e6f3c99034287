import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, test } from 'vitest'
import { describeMessageMeta, MessageMeta } from '../app/components/message-meta'
import type { Message } from '../shared/doc'

// 2026-11-26 14:05:07 UTC
const AT = Date.UTC(2026, 10, 26, 14, 5, 7)

const answer = (fields: Partial<Message> = {}): Message => ({
  id: 'm1',
  role: 'assistant',
  authorId: 'u1',
  content: 'Paris.',
  createdAt: AT,
  status: 'done',
  model: 'openai:gpt-4o-mini',
  usage: { inputTokens: 1234, outputTokens: 85, costMicros: 12 },
  timing: { firstTokenMs: 420, durationMs: 2000 },
  ...fields,
})

const texts = (message: Message) => describeMessageMeta(message, { timeZone: 'UTC' }).map((p) => [p.kind, p.text])

describe('describeMessageMeta', () => {
  test('a finished answer: model label, tokens, time to first token, speed and time', () => {
    expect(texts(answer())).toEqual([
      ['model', 'GPT-4o mini'],
      ['tokens', '1,234 in / 85 out'],
      ['ttft', 'TTFT 420 ms'],
      ['speed', '42.5 tok/s'],
      ['time', '2:05 PM'],
    ])
  })

  test('each piece has a title in words; the time carries its ISO date', () => {
    const pieces = describeMessageMeta(answer(), { timeZone: 'UTC' })
    expect(pieces.find((p) => p.kind === 'ttft')?.title).toBe('Time to first token: 420 ms')
    expect(pieces.find((p) => p.kind === 'tokens')?.title).toBe('1,234 input tokens, 85 output tokens')
    expect(pieces.find((p) => p.kind === 'speed')?.title).toBe('42.5 output tokens per second over 2.0 s')
    const time = pieces.find((p) => p.kind === 'time')!
    expect(time.dateTime).toBe('2026-11-26T14:05:07.000Z')
    expect(time.title).toBe('Nov 26, 2026, 2:05:07 PM')
  })

  test('a model not in the catalog shows its id; a local OpenAI-compatible one its name', () => {
    expect(texts(answer({ model: 'mistral:large-2' }))[0]).toEqual(['model', 'mistral:large-2'])
    expect(texts(answer({ model: 'openai:llama3.1:8b' }))[0]).toEqual(['model', 'llama3.1:8b'])
  })

  test('speed has one decimal and is left out when the writing time is zero', () => {
    const fast = answer({ usage: { inputTokens: 1, outputTokens: 10 }, timing: { firstTokenMs: 3, durationMs: 3 } })
    expect(texts(fast)).toContainEqual(['speed', '3,333.3 tok/s'])
    const instant = answer({ timing: { firstTokenMs: 3, durationMs: 0 } })
    expect(texts(instant).map(([kind]) => kind)).toEqual(['model', 'tokens', 'ttft', 'time'])
  })

  test('a slow first token reads in seconds', () => {
    expect(texts(answer({ timing: { firstTokenMs: 12_345, durationMs: 1 } }))).toContainEqual(['ttft', 'TTFT 12.3 s'])
  })

  test('an answer still pending has its model and time only; without timing there is no TTFT nor speed', () => {
    expect(texts(answer({ status: 'pending', usage: undefined, timing: undefined }))).toEqual([
      ['model', 'GPT-4o mini'],
      ['time', '2:05 PM'],
    ])
    expect(texts(answer({ timing: undefined })).map(([kind]) => kind)).toEqual(['model', 'tokens', 'time'])
  })

  test("a person's message has only its time, even if it carried answer fields", () => {
    expect(texts(answer({ role: 'user' }))).toEqual([['time', '2:05 PM']])
  })

  test('no pieces when there is nothing to tell', () => {
    expect(texts(answer({ role: 'user', createdAt: 0 }))).toEqual([])
  })
})

describe('MessageMeta', () => {
  test('renders the pieces in one line, the time as a <time>', () => {
    const html = renderToStaticMarkup(createElement(MessageMeta, { message: answer(), timeZone: 'UTC' }))
    expect(html).toContain('data-testid="message-meta"')
    expect(html).toContain('<span title="Model: GPT-4o mini" data-meta="model">GPT-4o mini</span>')
    expect(html).toContain('<span title="Time to first token: 420 ms" data-meta="ttft">TTFT 420 ms</span>')
    expect(html).toContain('data-meta="speed">42.5 tok/s</span>')
    expect(html).toContain('<time dateTime="2026-11-26T14:05:07.000Z" title="Nov 26, 2026, 2:05:07 PM">2:05 PM</time>')
  })

  test('renders nothing when there is no data', () => {
    expect(renderToStaticMarkup(createElement(MessageMeta, { message: answer({ role: 'user', createdAt: 0 }) }))).toBe(
      '',
    )
  })
})
