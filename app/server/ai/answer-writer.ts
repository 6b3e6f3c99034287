import { AppError } from '../../../shared/errors'
import { appendMessage, appendToContent, type ServerOrigin } from '../../../shared/doc'
import { RoomGoneError, type Room } from '../../../sync-server'
import { isRoomFull } from '../chat-rooms'

/** How long text may wait before it is written into the room, ms: well under what reads as live. */
const FLUSH_AFTER_MS = 50
/** Enough text to write at once, however soon. */
const FLUSH_AT_CHARS = 512
/**
 * How long the answer waits for its first words before it shows as pending.
 * A model that answers sooner appears with its first words in one stored
 * change instead of two; one slower to start shows "thinking" after this.
 */
const PENDING_AFTER_MS = 40

export interface AnswerWriter {
  /** Adds model text; written into the room in small batches, not one update per token. */
  push(text: string): void
  /** Writes what is waiting (creating the message if nothing was written yet) and resolves once it is stored. */
  flush(): Promise<void>
  /** All text received so far. */
  readonly text: string
  readonly length: number
  /** When the first text arrived (`performance.now()`), or null before any: the answer's time to first token. */
  readonly firstTextAt: number | null
}

/** The answer message to create on the first write. */
export interface AnswerMessage {
  chatId: string
  messageId: string
  authorId: string
  model: string
  replyTo: string
}

/**
 * Why the room took no more of the answer: the message is no longer open
 * (`closed`: stopped through the document, perhaps by a request that
 * reached another node), the chat's room is at its size limit (`full`), or
 * the chat was deleted or moved while it streamed (`gone`).
 */
export type WriterClosed = 'closed' | 'full' | 'gone'

/**
 * Streams an answer's text into its message in the chat's room. Each batch
 * is one stored update (see Room.applyServerChange), so a 1,000-token
 * answer costs tens of rows, not a thousand. When the room refuses a write
 * (see `WriterClosed`) `onClosed` is called once with the reason and later
 * text is dropped. A failure to store (the database is unreachable)
 * rejects `flush`.
 */
export function createAnswerWriter(
  room: Room,
  answer: AnswerMessage,
  origin: ServerOrigin,
  onClosed: (why: WriterClosed) => void,
): AnswerWriter {
  const { chatId, messageId } = answer
  let waiting = ''
  let all = ''
  let timer: NodeJS.Timeout | null = null
  let created = false
  let closed = false
  let firstTextAt: number | null = null
  let writes: Promise<void> = Promise.resolve()

  const write = () => {
    if (timer) clearTimeout(timer)
    timer = null
    if (closed || (created && !waiting)) return writes
    const piece = waiting
    waiting = ''
    const create = !created
    created = true
    writes = writes.then(() =>
      room
        .applyServerChange((doc) =>
          create
            ? appendMessage(
                doc,
                chatId,
                {
                  id: messageId,
                  role: 'assistant',
                  authorId: answer.authorId,
                  content: piece,
                  status: piece ? 'streaming' : 'pending',
                  model: answer.model,
                  replyTo: answer.replyTo,
                },
                origin,
              )
            : appendToContent(doc, chatId, messageId, piece, origin),
        )
        .then(
          () => undefined,
          (error: unknown) => {
            if (closed) return
            closed = true
            if (!(error instanceof AppError)) throw error
            onClosed(isRoomFull(error) ? 'full' : error instanceof RoomGoneError ? 'gone' : 'closed')
          },
        ),
    )
    return writes
  }

  timer = setTimeout(() => void write().catch(() => undefined), PENDING_AFTER_MS)

  return {
    push(text) {
      if (closed || !text) return
      const first = !all
      if (first) firstTextAt = performance.now()
      waiting += text
      all += text
      // The first words go out at once: time to first token is what people feel.
      if (first || waiting.length >= FLUSH_AT_CHARS) void write().catch(() => undefined)
      else timer ??= setTimeout(() => void write().catch(() => undefined), FLUSH_AFTER_MS)
    },
    flush: () => write(),
    get text() {
      return all
    },
    get length() {
      return all.length
    },
    get firstTextAt() {
      return firstTextAt
    },
  }
}
