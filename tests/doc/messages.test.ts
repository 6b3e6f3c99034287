import * as Y from 'yjs'
import { beforeEach, describe, expect, test } from 'vitest'
import { AppError } from '../../shared/errors'
import {
  appendMessage,
  appendToContent,
  closeStaleMessages,
  getChatMessages,
  type Message,
  openChatRoom,
  serverOrigin,
  setMessageStatus,
} from '../../shared/doc'
import { recordOrigins, thrown, useFixedClock } from './helpers'

let doc: Y.Doc
useFixedClock(1_000)
beforeEach(() => {
  // The chat's own room: message writers find the chat by its stamp.
  doc = new Y.Doc()
  openChatRoom(doc, 'c1')
})

const message = (id: string): Message | undefined => getChatMessages(doc, 'c1')?.find((m) => m.id === id)
const streaming = (id: string) =>
  appendMessage(doc, 'c1', { id, role: 'assistant', authorId: 'u1', status: 'streaming', model: 'demo' })

describe('appendMessage', () => {
  test("appends a person's message as done, with a new id and the current time", () => {
    const m = appendMessage(doc, 'c1', { role: 'user', authorId: 'u1', content: 'Hello' })
    expect(m).toEqual({ id: m.id, role: 'user', authorId: 'u1', content: 'Hello', createdAt: 1_000, status: 'done' })
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(getChatMessages(doc, 'c1')).toEqual([m])
  })

  test('stores model, usage and an error reason', () => {
    const m = appendMessage(doc, 'c1', {
      id: 'm1',
      role: 'assistant',
      authorId: 'u1',
      content: 'partial',
      createdAt: 7,
      status: 'error',
      model: 'gpt-x',
      usage: { inputTokens: 3, outputTokens: 4, costMicros: 12 },
      error: 'provider timed out',
    })
    expect(message('m1')).toEqual(m)
    expect(m).toMatchObject({ model: 'gpt-x', usage: { inputTokens: 3, outputTokens: 4, costMicros: 12 } })
    expect(m.error).toBe('provider timed out')
  })

  test('refuses a message id the chat already has', () => {
    appendMessage(doc, 'c1', { id: 'm1', role: 'user', authorId: 'u1', content: 'first' })
    expect(thrown(() => appendMessage(doc, 'c1', { id: 'm1', role: 'user', authorId: 'u1' })).code).toBe('CONFLICT')
    expect(getChatMessages(doc, 'c1')?.map((m) => m.content)).toEqual(['first'])
  })

  test('throws NOT_FOUND for an unknown chat', () => {
    const error = thrown(() => appendMessage(doc, 'nope', { role: 'user', authorId: 'u1' }))
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('NOT_FOUND')
  })

  test.each([
    ['role', { role: 'robot', authorId: 'u1' }],
    ['authorId', { role: 'user', authorId: '' }],
    ['status', { role: 'user', authorId: 'u1', status: 'exploded' }],
    ['error', { role: 'assistant', authorId: 'u1', status: 'error' }],
    ['error', { role: 'assistant', authorId: 'u1', status: 'done', error: 'why?' }],
    ['usage.inputTokens', { role: 'assistant', authorId: 'u1', usage: { inputTokens: -1, outputTokens: 0 } }],
    ['createdAt', { role: 'user', authorId: 'u1', createdAt: 1.5 }],
    ['content', { role: 'user', authorId: 'u1', content: 'x'.repeat(200_001) }],
  ])('rejects a bad %s', (field, input) => {
    const error = thrown(() => appendMessage(doc, 'c1', input as never))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.fields).toHaveProperty([field])
    expect(getChatMessages(doc, 'c1')).toEqual([])
  })
})

describe('appendToContent', () => {
  test('appends each piece to the end of a streaming message', () => {
    streaming('m1')
    appendToContent(doc, 'c1', 'm1', 'Hel')
    appendToContent(doc, 'c1', 'm1', 'lo ')
    appendToContent(doc, 'c1', 'm1', '🌍')
    expect(message('m1')).toMatchObject({ content: 'Hello 🌍', status: 'streaming' })
  })

  test('turns a pending message into a streaming one with the first piece', () => {
    appendMessage(doc, 'c1', { id: 'm1', role: 'assistant', authorId: 'u1', status: 'pending' })
    appendToContent(doc, 'c1', 'm1', 'Hi')
    expect(message('m1')).toMatchObject({ content: 'Hi', status: 'streaming' })
  })

  test.each(['done', 'stopped'] as const)('refuses to write into a %s message, so the streamer stops', (status) => {
    streaming('m1')
    appendToContent(doc, 'c1', 'm1', 'a')
    setMessageStatus(doc, 'c1', 'm1', { status })
    const error = thrown(() => appendToContent(doc, 'c1', 'm1', 'b'))
    expect(error.code).toBe('CONFLICT')
    expect(message('m1')?.content).toBe('a')
  })

  test('refuses to write into a message that ended in error', () => {
    streaming('m1')
    setMessageStatus(doc, 'c1', 'm1', { status: 'error', error: 'boom' })
    expect(thrown(() => appendToContent(doc, 'c1', 'm1', 'b')).code).toBe('CONFLICT')
  })

  test('throws NOT_FOUND for an unknown message or chat', () => {
    streaming('m1')
    expect(thrown(() => appendToContent(doc, 'c1', 'm2', 'x')).code).toBe('NOT_FOUND')
    expect(thrown(() => appendToContent(doc, 'c2', 'm1', 'x')).code).toBe('NOT_FOUND')
  })

  test('runs with the origin it is given', () => {
    streaming('m1')
    const origins = recordOrigins(doc)
    const origin = serverOrigin('ai-stream')
    appendToContent(doc, 'c1', 'm1', 'x', origin)
    expect(origins).toEqual([origin])
  })

  test('rejects a non-string piece', () => {
    streaming('m1')
    expect(thrown(() => appendToContent(doc, 'c1', 'm1', 5 as unknown as string)).fields).toHaveProperty('delta')
  })
})

describe('setMessageStatus', () => {
  test('finishes an answer with its model and usage', () => {
    streaming('m1')
    const m = setMessageStatus(doc, 'c1', 'm1', {
      status: 'done',
      model: 'gpt-y',
      usage: { inputTokens: 10, outputTokens: 20 },
    })
    expect(m).toMatchObject({ status: 'done', model: 'gpt-y', usage: { inputTokens: 10, outputTokens: 20 } })
    expect(message('m1')).toEqual(m)
  })

  test('records how long an answer took to start and to write, and reads it back', () => {
    streaming('m1')
    const timing = { firstTokenMs: 420, durationMs: 1_250 }
    const m = setMessageStatus(doc, 'c1', 'm1', { status: 'done', usage: { inputTokens: 3, outputTokens: 50 }, timing })
    expect(m.timing).toEqual(timing)
    expect(message('m1')?.timing).toEqual(timing)
    // A stop after the fact may add timing to a final message, as it may add usage.
    setMessageStatus(doc, 'c1', 'm1', { status: 'done', timing: { firstTokenMs: 420, durationMs: 0 } })
    expect(message('m1')?.timing).toEqual({ firstTokenMs: 420, durationMs: 0 })
  })

  test('a message without timing reads without it', () => {
    streaming('m1')
    setMessageStatus(doc, 'c1', 'm1', { status: 'done' })
    expect(message('m1')).not.toHaveProperty('timing')
  })

  test.each([
    ['timing.firstTokenMs', { firstTokenMs: -1, durationMs: 0 }],
    ['timing.durationMs', { firstTokenMs: 1, durationMs: 1.5 }],
    ['timing.durationMs', { firstTokenMs: 1 }],
    ['timing.extra', { firstTokenMs: 1, durationMs: 2, extra: 3 }],
    ['timing', 'fast'],
  ])('rejects a bad %s and writes nothing', (field, timing) => {
    streaming('m1')
    const error = thrown(() => setMessageStatus(doc, 'c1', 'm1', { status: 'done', timing } as never))
    expect(error.code).toBe('BAD_REQUEST')
    expect(error.fields).toHaveProperty([field])
    expect(message('m1')).toMatchObject({ status: 'streaming' })
    expect(message('m1')).not.toHaveProperty('timing')
  })

  test('ends a message in error with its reason', () => {
    streaming('m1')
    expect(setMessageStatus(doc, 'c1', 'm1', { status: 'error', error: 'quota' })).toMatchObject({
      status: 'error',
      error: 'quota',
    })
  })

  test('requires a reason for error, and only for error', () => {
    streaming('m1')
    expect(thrown(() => setMessageStatus(doc, 'c1', 'm1', { status: 'error' })).fields).toHaveProperty('error')
    expect(thrown(() => setMessageStatus(doc, 'c1', 'm1', { status: 'done', error: 'x' })).fields).toHaveProperty(
      'error',
    )
    expect(message('m1')?.status).toBe('streaming')
  })

  test('a final status stays final: an answer finishing after a stop stays stopped', () => {
    streaming('m1')
    setMessageStatus(doc, 'c1', 'm1', { status: 'stopped' })
    const error = thrown(() => setMessageStatus(doc, 'c1', 'm1', { status: 'done' }))
    expect(error.code).toBe('CONFLICT')
    expect(thrown(() => setMessageStatus(doc, 'c1', 'm1', { status: 'streaming' })).code).toBe('CONFLICT')
    expect(message('m1')?.status).toBe('stopped')
  })

  test('the same final status may be set again, to add usage', () => {
    streaming('m1')
    setMessageStatus(doc, 'c1', 'm1', { status: 'stopped' })
    setMessageStatus(doc, 'c1', 'm1', { status: 'stopped', usage: { inputTokens: 1, outputTokens: 2 } })
    expect(message('m1')).toMatchObject({ status: 'stopped', usage: { inputTokens: 1, outputTokens: 2 } })
  })

  test('moves pending to streaming', () => {
    appendMessage(doc, 'c1', { id: 'm1', role: 'assistant', authorId: 'u1', status: 'pending' })
    expect(setMessageStatus(doc, 'c1', 'm1', { status: 'streaming' }).status).toBe('streaming')
  })

  test('throws NOT_FOUND for an unknown message', () => {
    expect(thrown(() => setMessageStatus(doc, 'c1', 'nope', { status: 'done' })).code).toBe('NOT_FOUND')
  })
})

describe('closeStaleMessages', () => {
  test('ends every open message in error with the reason and leaves the rest', () => {
    streaming('m1')
    appendToContent(doc, 'c1', 'm1', 'half an ans')
    appendMessage(doc, 'c1', { id: 'm2', role: 'assistant', authorId: 'u1', status: 'pending' })
    appendMessage(doc, 'c1', { id: 'm3', role: 'user', authorId: 'u1', content: 'done one' })
    const origin = serverOrigin('room-load')
    const origins = recordOrigins(doc)
    const closed = closeStaleMessages(doc, { reason: 'Interrupted' }, origin)
    expect(closed).toEqual(
      expect.arrayContaining([
        { chatId: 'c1', messageId: 'm1' },
        { chatId: 'c1', messageId: 'm2' },
      ]),
    )
    expect(closed).toHaveLength(2)
    expect(message('m1')).toMatchObject({ status: 'error', error: 'Interrupted', content: 'half an ans' })
    expect(getChatMessages(doc, 'c1')?.map((m) => [m.id, m.status, m.error])).toEqual([
      ['m1', 'error', 'Interrupted'],
      ['m2', 'error', 'Interrupted'],
      ['m3', 'done', undefined],
    ])
    expect(origins).toEqual([origin])
  })

  test('with createdBefore, leaves answers younger than the cutoff streaming', () => {
    appendMessage(doc, 'c1', { id: 'old', role: 'assistant', authorId: 'u1', status: 'streaming', createdAt: 10 })
    appendMessage(doc, 'c1', { id: 'young', role: 'assistant', authorId: 'u1', status: 'streaming', createdAt: 90 })
    expect(closeStaleMessages(doc, { reason: 'Interrupted', createdBefore: 50 })).toEqual([
      { chatId: 'c1', messageId: 'old' },
    ])
    expect(message('old')?.status).toBe('error')
    expect(message('young')?.status).toBe('streaming')
  })

  test('requires a reason', () => {
    expect(thrown(() => closeStaleMessages(doc, { reason: '' })).fields).toHaveProperty('reason')
  })
})
