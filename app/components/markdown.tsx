import { useEffect, useState } from 'react'
import type { MarkdownRenderer } from './markdown-renderer'

type Renderer = typeof MarkdownRenderer

let renderer: Renderer | null = null
let loading: Promise<Renderer> | null = null

/**
 * Loads the Markdown renderer's chunk (the parser and GFM are about 50 KB
 * gzipped, more than the rest of the chat page), once per page; a failed
 * load is tried again by the next caller.
 */
export function preloadMarkdown(): Promise<Renderer> {
  loading ??= import('./markdown-renderer').then(
    (module) => (renderer = module.MarkdownRenderer),
    (error: unknown) => {
      loading = null
      throw error
    },
  )
  return loading
}

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
  const [Loaded, setLoaded] = useState<Renderer | null>(() => renderer)
  useEffect(() => {
    if (Loaded) return
    let live = true
    preloadMarkdown().then(
      (loaded) => live && setLoaded(() => loaded),
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [Loaded])
  if (Loaded) return <Loaded text={text} className={className} />
  return <div className={`whitespace-pre-wrap${className ? ` ${className}` : ''}`}>{text}</div>
}
