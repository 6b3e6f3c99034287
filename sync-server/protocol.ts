import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as Y from 'yjs'

/** y-websocket message types (the first varUint of every frame). */
export const MessageType = { SYNC: 0, AWARENESS: 1, AUTH: 2, QUERY_AWARENESS: 3 } as const
/** Sub-types of a SYNC message. */
export const SyncType = { STEP1: 0, STEP2: 1, UPDATE: 2 } as const

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MessageType.SYNC)
  encoding.writeVarUint(e, SyncType.STEP1)
  encoding.writeVarUint8Array(e, Y.encodeStateVector(doc))
  return encoding.toUint8Array(e)
}

/** Sync step 2 carrying `update`: what the client lacks (Room.syncAnswer). */
export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MessageType.SYNC)
  encoding.writeVarUint(e, SyncType.STEP2)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MessageType.SYNC)
  encoding.writeVarUint(e, SyncType.UPDATE)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

export function encodeAwareness(update: Uint8Array): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, MessageType.AWARENESS)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

export function encodeAwarenessStates(awareness: awarenessProtocol.Awareness, clients?: number[]): Uint8Array | null {
  const ids = clients ?? [...awareness.getStates().keys()]
  if (ids.length === 0) return null
  return encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(awareness, ids))
}

export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array; clientIds: number[] }
  | { type: 'query-awareness' }
  | { type: 'auth' }

/**
 * Decodes one client frame completely, including the client ids an
 * awareness update speaks for and a structural check of document updates.
 * Throws on anything malformed; the caller closes with 4400.
 */
export function decodeClientMessage(data: Uint8Array): ClientMessage {
  const d = decoding.createDecoder(data)
  const message = decodeMessage(d)
  // Completely: bytes after the end of the message mean it is not what it claims to be.
  if (decoding.hasContent(d)) throw new Error('trailing bytes after the message')
  return message
}

function decodeMessage(d: decoding.Decoder): ClientMessage {
  const type = decoding.readVarUint(d)
  switch (type) {
    case MessageType.SYNC: {
      const sub = decoding.readVarUint(d)
      const payload = decoding.readVarUint8Array(d)
      if (sub === SyncType.STEP1) {
        Y.decodeStateVector(payload)
        return { type: 'sync-step1', stateVector: payload }
      }
      if (sub === SyncType.STEP2 || sub === SyncType.UPDATE) {
        Y.decodeUpdate(payload)
        return { type: 'update', update: payload }
      }
      throw new Error(`unknown sync message ${sub}`)
    }
    case MessageType.AWARENESS: {
      const update = decoding.readVarUint8Array(d)
      const a = decoding.createDecoder(update)
      const count = decoding.readVarUint(a)
      const clientIds: number[] = []
      for (let i = 0; i < count; i++) {
        clientIds.push(decoding.readVarUint(a))
        decoding.readVarUint(a)
        JSON.parse(decoding.readVarString(a))
      }
      if (decoding.hasContent(a)) throw new Error('trailing bytes after the awareness states')
      return { type: 'awareness', update, clientIds }
    }
    case MessageType.QUERY_AWARENESS:
      return { type: 'query-awareness' }
    case MessageType.AUTH:
      // y-protocols/auth: a reason code and a string; ignored, but read so its end is known.
      decoding.readVarUint(d)
      decoding.readVarString(d)
      return { type: 'auth' }
    default:
      throw new Error(`unknown message type ${type}`)
  }
}
