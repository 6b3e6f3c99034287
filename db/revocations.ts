import { randomUUID } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { Redis } from 'ioredis'
import { z } from 'zod'

/**
 * Membership changes that must end live sync connections at once: a member
 * removed or leaving, a role changed (they reconnect with the new rights),
 * a workspace deleted (everyone in it). Published by the membership code,
 * heard by every sync node: in-process directly, across nodes through Redis.
 */
export const revocationSchema = z.object({
  workspaceId: z.string().min(1),
  /** Absent: everyone in the workspace. */
  userId: z.string().min(1).optional(),
  kind: z.enum(['removed', 'role-changed', 'deleted']),
})
export type Revocation = z.infer<typeof revocationSchema>

export interface RevocationBus {
  publish(revocation: Revocation): Promise<void>
  subscribe(listener: (revocation: Revocation) => void): () => void
  close(): Promise<void>
}

const CHANNEL = 'workspaces:revocations'

export function createRevocationBus(redisUrl?: string): RevocationBus {
  const local = new EventEmitter()
  local.setMaxListeners(0)
  const nodeId = randomUUID()
  let pub: Redis | null = null
  let sub: Redis | null = null
  if (redisUrl) {
    pub = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 })
    sub = new Redis(redisUrl, { lazyConnect: false })
    void sub.subscribe(CHANNEL)
    sub.on('message', (_channel: string, raw: string) => {
      try {
        const message = JSON.parse(raw) as { from: string; revocation: unknown }
        if (message.from === nodeId) return
        local.emit('revocation', revocationSchema.parse(message.revocation))
      } catch (error) {
        console.warn('[revocations] ignored a malformed message', error)
      }
    })
  }
  return {
    async publish(revocation) {
      local.emit('revocation', revocation)
      if (pub) await pub.publish(CHANNEL, JSON.stringify({ from: nodeId, revocation }))
    },
    subscribe(listener) {
      local.on('revocation', listener)
      return () => local.off('revocation', listener)
    },
    async close() {
      local.removeAllListeners()
      await Promise.all([pub?.quit(), sub?.quit()])
    },
  }
}

const BUS_KEY = Symbol.for('workspaces.revocations')
type BusHolder = { [BUS_KEY]?: RevocationBus }

/** The process-wide bus; uses Redis when REDIS_URL is set. */
export function getRevocationBus(redisUrl?: string): RevocationBus {
  const holder = globalThis as BusHolder
  return (holder[BUS_KEY] ??= createRevocationBus(redisUrl))
}
