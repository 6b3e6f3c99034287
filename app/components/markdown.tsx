import { lazyValue } from './lazy-value'

/**
 * The Markdown renderer's chunk: the parser and GFM are about 50 KB gzipped,
 * more than the rest of the chat page.
 */
const renderer = lazyValue(() => import('./markdown-renderer').then((module) => module.MarkdownRenderer))

/** Loads the Markdown renderer; `MessageMarkdown` does it by itself, this is for starting earlier. */
export const preloadMarkdown = renderer.load

// Started as soon as the chat page's code runs, in parallel with opening the
// rooms, so messages rarely show before it is there.
if (typeof window !== 'undefined') void preloadMarkdown().catch(() => undefined)

export interface MessageMarkdownProps {
  /** The message text, complete or still streaming. */
  text: string
  className?: string
}

/**
 * A message rendered as GitHub-flavoured Markdown (see `MarkdownRenderer`
 * for what is rendered and the safety rules). Until the renderer's chunk has
 * loaded, and if it cannot load, the text shows as plain text with its line
 * breaks.
 */
export function MessageMarkdown({ text, className }: MessageMarkdownProps) {
  const Loaded = renderer.useValue()
  if (Loaded) return <Loaded text={text} className={className} />
  return <div className={`whitespace-pre-wrap${className ? ` ${className}` : ''}`}>{text}</div>
}
