import { describe, expect, test } from 'vitest'
import type { Message } from '../../shared/doc'
import { lastQuestion, threadOf } from '../../app/lib/chat-thread'

const msg = (id: string, role: Message['role'], replyTo?: string): Message => ({
  id,
  role,
  authorId: role === 'user' ? 'u1' : 'ai',
  content: id,
  createdAt: 0,
  status: 'done',
  ...(replyTo ? { replyTo } : {}),
})

describe('threadOf', () => {
  test('a regenerated answer sits after its question, after the earlier version', () => {
    const entries = threadOf([
      msg('q1', 'user'),
      msg('a1', 'assistant', 'q1'),
      msg('q2', 'user'),
      msg('a2', 'assistant', 'q2'),
      msg('a1b', 'assistant', 'q1'),
    ])
    expect(entries.map((e) => [e.message.id, e.kind === 'question' ? e.answers.map((a) => a.id) : null])).toEqual([
      ['q1', ['a1', 'a1b']],
      ['q2', ['a2']],
    ])
    expect(lastQuestion(entries)?.id).toBe('q2')
  })

  test('answers without a known question and system messages stay where they are', () => {
    const entries = threadOf([
      msg('s', 'system'),
      msg('old', 'assistant'),
      msg('q1', 'user'),
      msg('orphan', 'assistant', 'gone'),
    ])
    expect(entries.map((e) => `${e.kind}:${e.message.id}`)).toEqual([
      'message:s',
      'message:old',
      'question:q1',
      'message:orphan',
    ])
  })

  test('a chat without questions has no last question', () => {
    expect(lastQuestion(threadOf([msg('s', 'system')]))).toBeNull()
  })
})
