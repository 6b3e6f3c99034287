import { describe, expect, test, vi } from 'vitest'
import { ApiError } from '../../app/lib/api'
import { GenerationQueue, queueKey, type QueuedGeneration } from '../../app/lib/sync/generation-queue'
import { MemoryStorage } from '../helpers/memory-storage'

const ask = (n: number) => ({ room: 'w/ws1', chatId: 'chat1', messageId: `q${n}`, generationId: `g${n}` })
const offline = () => Promise.reject(new TypeError('Failed to fetch'))

describe('GenerationQueue', () => {
  test('a request that cannot reach the server waits, survives a reload, and is sent on the next flush', async () => {
    const storage = new MemoryStorage()
    const refused = vi.fn()
    const first = new GenerationQueue('ws1', 'u1', refused, offline, storage)
    await first.enqueue(ask(1))
    await first.enqueue(ask(2))
    expect(first.getPending().map((g) => g.generationId)).toEqual(['g1', 'g2'])
    first.destroy()

    // A reload: a new queue reads what was kept.
    const sent: string[] = []
    const second = new GenerationQueue('ws1', 'u1', refused, async (_ws, g) => void sent.push(g.generationId), storage)
    expect(second.getPending().map((g) => g.messageId)).toEqual(['q1', 'q2'])
    await second.flush()
    expect(sent).toEqual(['g1', 'g2'])
    expect(second.getPending()).toEqual([])
    expect(storage.getItem(queueKey('u1', 'ws1'))).toBeNull()
    expect(refused).not.toHaveBeenCalled()
    second.destroy()
  })

  test('a full chat’s requests are dropped, the one being retried stops, and the other chats’ go out', async () => {
    const sent: string[] = []
    let full = 0
    const queue = new GenerationQueue(
      'ws1',
      'u1',
      vi.fn(),
      async (_ws, g) => {
        if (g.room === 'w/ws1/c/full') {
          full++
          // The server waits for edits it refused: NOT_SYNCED, again and again.
          throw new ApiError(409, 'NOT_SYNCED', 'Not synced yet')
        }
        sent.push(g.generationId)
      },
      new MemoryStorage(),
    )
    const flushing = queue.enqueue({ ...ask(1), room: 'w/ws1/c/full' })
    void queue.enqueue({ ...ask(2), room: 'w/ws1/c/full' })
    void queue.enqueue({ ...ask(3), room: 'w/ws1/c/other' })
    await vi.waitFor(() => expect(full).toBe(1))
    queue.discardRoom('w/ws1/c/full')
    expect(queue.getPending().map((g) => g.generationId)).toEqual(['g3'])
    await flushing
    await vi.waitFor(() => expect(sent).toEqual(['g3']))
    expect(full).toBeLessThanOrEqual(2)
    queue.destroy()
  })

  test('a 404 right after reconnecting is tried again until the question has reached the server', async () => {
    let calls = 0
    const queue = new GenerationQueue(
      'ws1',
      'u1',
      vi.fn(),
      async () => {
        calls++
        if (calls < 3) throw new ApiError(404, 'NOT_FOUND', 'Message not found')
      },
      new MemoryStorage(),
    )
    await queue.enqueue(ask(1))
    expect(calls).toBe(3)
    expect(queue.getPending()).toEqual([])
    queue.destroy()
  })

  test('a refusal (quota, role) leaves the queue and is reported; the next request still goes', async () => {
    const refused: [QueuedGeneration, ApiError][] = []
    const sent: string[] = []
    const queue = new GenerationQueue(
      'ws1',
      'u1',
      (g, e) => refused.push([g, e]),
      async (_ws, g) => {
        if (g.generationId === 'g1') throw new ApiError(402, 'QUOTA_EXCEEDED', 'The workspace has used its quota')
        sent.push(g.generationId)
      },
      new MemoryStorage(),
    )
    await queue.enqueue(ask(1))
    await queue.enqueue(ask(2))
    expect(refused.map(([g, e]) => [g.generationId, e.code])).toEqual([['g1', 'QUOTA_EXCEEDED']])
    expect(sent).toEqual(['g2'])
    expect(queue.getPending()).toEqual([])
    queue.destroy()
  })

  test('queues are per user and workspace, and unreadable stored data is ignored', async () => {
    const storage = new MemoryStorage()
    const a = new GenerationQueue('ws1', 'u1', vi.fn(), offline, storage)
    await a.enqueue(ask(1))
    a.destroy()
    expect(new GenerationQueue('ws1', 'u2', vi.fn(), offline, storage).getPending()).toEqual([])
    expect(new GenerationQueue('ws2', 'u1', vi.fn(), offline, storage).getPending()).toEqual([])
    storage.setItem(queueKey('u1', 'ws3'), '{not json')
    expect(new GenerationQueue('ws3', 'u1', vi.fn(), offline, storage).getPending()).toEqual([])
    storage.setItem(queueKey('u1', 'ws4'), JSON.stringify([{ room: 1 }]))
    expect(new GenerationQueue('ws4', 'u1', vi.fn(), offline, storage).getPending()).toEqual([])
  })
})
