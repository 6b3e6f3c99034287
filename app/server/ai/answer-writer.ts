import { AppError } from '../../../shared/errors'
import { appendToContent, type ServerOrigin } from '../../../shared/doc'
import type { Room } from '../../../sync-server'

/** How long text may wait before it is written into the room, ms: well under what reads as live. */
const FLUSH_AFTER_MS = 50
/** Enough text to write at once, however soon. */
const FLUSH_AT_CHARS = 512

export interface AnswerWriter {
  /** Adds model text; written into the room in small batches, not one update per token. */
  push(text: string): void
  /** Writes what is waiting and resolves once it is stored. */
  flush(): Promise<void>
  /** All text received so far. */
  readonly text: string
  readonly length: number
}

/**
 * Streams an answer's text into its message in the room. Each batch is one
 * stored update (see Room.applyServerChange), so a 1,000-token answer costs
 * tens of rows, not a thousand. When the message is no longer open (stopped
 * through the document, perhaps by a request that reached another node)
 * `onClosed` is called once and later text is dropped.
 */
export function createAnswerWriter(
  room: Room,
  chatId: string,
  messageId: string,
  origin: ServerOrigin,
  onClosed: () => void,
): AnswerWriter {
  let waiting = ''
  let all = ''
  let timer: NodeJS.Timeout | null = null
  let closed = false
  let writes: Promise<void> = Promise.resolve()

  const write = () => {
    if (timer) clearTimeout(timer)
    timer = null
    if (!waiting || closed) return writes
    const piece = waiting
    waiting = ''
    writes = writes.then(() =>
      room
        .applyServerChange((doc) => appendToContent(doc, chatId, messageId, piece, origin))
        .catch((error: unknown) => {
          if (closed) return
          closed = true
          if (!(error instanceof AppError)) throw error
          onClosed()
        }),
    )
    return writes
  }

  return {
    push(text) {
      if (closed || !text) return
      const first = !all
      waiting += text
      all += text
      // The first words go out at once: time to first token is what people feel.
      if (first || waiting.length >= FLUSH_AT_CHARS) void write()
      else timer ??= setTimeout(() => void write(), FLUSH_AFTER_MS)
    },
    flush: () => write(),
    get text() {
      return all
    },
    get length() {
      return all.length
    },
  }
}
