/**
 * Close codes the sync server uses. y-websocket 3 treats 4400-4499 as final
 * (no reconnect); everything else reconnects.
 */
export const CloseCode = {
  /** The server is shutting down; clients reconnect (to another node). */
  SERVICE_RESTART: 1012,
  /** Rights changed (role change): reconnect and be authorized anew. */
  RIGHTS_CHANGED: 4000,
  /** Too many messages too fast. */
  POLICY_VIOLATION: 1008,
  /** A message over the size limit (sent by `ws` itself through maxPayload). */
  MESSAGE_TOO_BIG: 1009,
  /** Persistence failed; the client's state is not lost, it resyncs on reconnect. */
  INTERNAL_ERROR: 1011,
  /** Slow consumer: the outgoing buffer grew past its limit. */
  TRY_AGAIN_LATER: 1013,
  MALFORMED: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  DOCUMENT_TOO_LARGE: 4413,
} as const

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode]
