import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'

/**
 * `awareness-query` asks the other nodes for the awareness of their own
 * clients: a node that opens a room has missed every state set before.
 */
export type FanoutKind = 'update' | 'awareness' | 'awareness-query'

/**
 * Carries room updates and awareness between sync nodes. Each node persists
 * the updates its own clients send; peers only apply and forward them.
 */
export interface Fanout {
  publish(room: string, kind: FanoutKind, payload: Uint8Array): Promise<void>
  subscribe(room: string, listener: (kind: FanoutKind, payload: Uint8Array) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

// Appended only: the index is the wire byte, and nodes of an older version ignore kinds they do not know.
const KINDS: FanoutKind[] = ['update', 'awareness', 'awareness-query']

/**
 * Redis pub/sub, one channel per room. Frames are binary:
 * [16 bytes node id][1 byte kind][payload]; a node ignores its own frames.
 */
export function createRedisFanout(url: string): Fanout {
  const nodeId = Buffer.from(randomUUID().replace(/-/g, ''), 'hex')
  const pub = new Redis(url, { maxRetriesPerRequest: 3 })
  const sub = new Redis(url)
  const listeners = new Map<string, Set<(kind: FanoutKind, payload: Uint8Array) => void>>()
  const channel = (room: string) => `sync:room:${room}`
  sub.on('messageBuffer', (rawChannel: Buffer, frame: Buffer) => {
    if (frame.length < 17 || frame.subarray(0, 16).equals(nodeId)) return
    const kind = KINDS[frame[16]]
    const set = listeners.get(rawChannel.toString())
    if (!kind || !set) return
    const payload = new Uint8Array(frame.subarray(17))
    for (const listener of set) listener(kind, payload)
  })
  return {
    async publish(room, kind, payload) {
      const frame = Buffer.concat([nodeId, Buffer.from([KINDS.indexOf(kind)]), Buffer.from(payload)])
      await pub.publish(channel(room), frame)
    },
    async subscribe(room, listener) {
      const name = channel(room)
      let set = listeners.get(name)
      if (!set) {
        set = new Set()
        listeners.set(name, set)
        await sub.subscribe(name)
      }
      set.add(listener)
      return async () => {
        set.delete(listener)
        if (set.size === 0 && listeners.get(name) === set) {
          listeners.delete(name)
          await sub.unsubscribe(name)
        }
      }
    },
    async close() {
      listeners.clear()
      await Promise.all([pub.quit(), sub.quit()])
    },
  }
}
