import type { Message } from '../../shared/doc'
import { findModel } from '../../shared/models'

/** One fact about a message, as shown in its meta line. */
export interface MessageMetaPiece {
  kind: 'model' | 'tokens' | 'ttft' | 'speed' | 'time'
  /** The short text shown, e.g. "TTFT 420 ms". */
  text: string
  /** The same fact in words, for the tooltip. */
  title: string
  /** For `time`: the message's time as an ISO string, for `<time dateTime>`. */
  dateTime?: string
}

export interface MessageMetaOptions {
  /** Time zone of the shown time; the browser's when absent (tests pass one). */
  timeZone?: string
}

// The app's UI is English; one fixed locale keeps numbers the same on server and browser.
const LOCALE = 'en-US'
const integer = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 })
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 })

function formatMs(ms: number): string {
  return ms < 1000 ? `${integer.format(ms)} ms` : `${oneDecimal.format(ms / 1000)} s`
}

/**
 * The facts of a message's meta line, in display order: model label (the id
 * for a model not in the catalog), input/output tokens, time to first token,
 * tokens per second, and the message's time. An answer's facts show only
 * when it has them (a pending answer has no usage yet; one that never wrote
 * has no timing; speed needs a writing time above zero); a person's message
 * has only its time.
 */
export function describeMessageMeta(message: Message, options: MessageMetaOptions = {}): MessageMetaPiece[] {
  const pieces: MessageMetaPiece[] = []
  if (message.role === 'assistant') {
    if (message.model) {
      const label = findModel(message.model)?.label ?? message.model
      pieces.push({ kind: 'model', text: label, title: `Model: ${label}` })
    }
    const { usage, timing } = message
    if (usage) {
      const input = integer.format(usage.inputTokens)
      const output = integer.format(usage.outputTokens)
      pieces.push({
        kind: 'tokens',
        text: `${input} in / ${output} out`,
        title: `${input} input tokens, ${output} output tokens`,
      })
    }
    if (timing) {
      const ttft = formatMs(timing.firstTokenMs)
      pieces.push({ kind: 'ttft', text: `TTFT ${ttft}`, title: `Time to first token: ${ttft}` })
    }
    if (usage && timing && timing.durationMs > 0) {
      const perSecond = oneDecimal.format(usage.outputTokens / (timing.durationMs / 1000))
      pieces.push({
        kind: 'speed',
        text: `${perSecond} tok/s`,
        title: `${perSecond} output tokens per second over ${formatMs(timing.durationMs)}`,
      })
    }
  }
  if (Number.isFinite(message.createdAt) && message.createdAt > 0) {
    const at = new Date(message.createdAt)
    const { timeZone } = options
    pieces.push({
      kind: 'time',
      text: at.toLocaleTimeString(LOCALE, { hour: 'numeric', minute: '2-digit', timeZone }),
      title: at.toLocaleString(LOCALE, { dateStyle: 'medium', timeStyle: 'medium', timeZone }),
      dateTime: at.toISOString(),
    })
  }
  return pieces
}

export interface MessageMetaProps {
  message: Message
  className?: string
  /** See `MessageMetaOptions`. */
  timeZone?: string
}

/**
 * A compact line of a message's facts (see `describeMessageMeta`), meant to
 * show on hover or focus of the message. Renders nothing when there are none.
 */
export function MessageMeta({ message, className, timeZone }: MessageMetaProps) {
  const pieces = describeMessageMeta(message, { timeZone })
  if (pieces.length === 0) return null
  return (
    <p
      className={`flex flex-wrap items-center gap-x-1.5 text-xs text-zinc-500 tabular-nums${className ? ` ${className}` : ''}`}
      data-testid="message-meta"
    >
      {pieces.map((piece, i) => (
        <span key={piece.kind} className="inline-flex items-center gap-x-1.5">
          {i > 0 ? (
            <span aria-hidden="true" className="text-zinc-300">
              ·
            </span>
          ) : null}
          {piece.dateTime ? (
            <time dateTime={piece.dateTime} title={piece.title}>
              {piece.text}
            </time>
          ) : (
            <span title={piece.title} data-meta={piece.kind}>
              {piece.text}
            </span>
          )}
        </span>
      ))}
    </p>
  )
}
