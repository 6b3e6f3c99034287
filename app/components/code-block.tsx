import { type ReactNode, useEffect, useMemo, useState } from 'react'
import type { HighlightedCode, highlightCode } from './code-highlighter'
import { CopyButton } from './copy-button'

type Highlight = typeof highlightCode
type HighlightedNode = HighlightedCode['children'][number]

let highlighter: Highlight | null = null
let loading: Promise<Highlight> | null = null

/**
 * Loads the highlighter's chunk (one import for the whole page; a failed one,
 * say offline after a deploy, is tried again by the next block). Code blocks
 * call it themselves; call it early to have code highlighted on first paint.
 */
export function preloadHighlighter(): Promise<Highlight> {
  loading ??= import('./code-highlighter').then(
    (module) => (highlighter = module.highlightCode),
    (error: unknown) => {
      loading = null
      throw error
    },
  )
  return loading
}

/** The highlighter once its chunk is loaded; null before, and during server rendering. */
function useHighlighter(wanted: boolean): Highlight | null {
  const [highlight, setHighlight] = useState<Highlight | null>(() => highlighter)
  useEffect(() => {
    if (!wanted || highlight) return
    let live = true
    preloadHighlighter().then(
      (loaded) => live && setHighlight(() => loaded),
      // Plain code stays: highlighting is a nicety.
      () => undefined,
    )
    return () => {
      live = false
    }
  }, [wanted, highlight])
  return highlight
}

/** Only spans with their classes and text come out of the tree, whatever else it held. */
function renderHighlighted(nodes: readonly HighlightedNode[]): ReactNode[] {
  return nodes.map((node, i) => {
    if (node.type === 'text') return node.value
    if (node.type !== 'element') return null
    const classes = node.properties.className
    return (
      <span key={i} className={Array.isArray(classes) ? classes.join(' ') : undefined}>
        {renderHighlighted(node.children)}
      </span>
    )
  })
}

export interface CodeBlockProps {
  code: string
  /** The fence's info word (`ts` in ```ts), lower-cased; absent for a bare fence. */
  language?: string
}

/**
 * A fenced code block: its language, a Copy button, and the code,
 * highlighted once the highlighter has loaded (plain until then, so a
 * streaming answer never waits for it).
 */
export function CodeBlock({ code, language }: CodeBlockProps) {
  const highlight = useHighlighter(language !== undefined)
  const tree = useMemo(
    () => (highlight && language !== undefined ? highlight(code, language) : null),
    [highlight, code, language],
  )
  return (
    <div
      className="code-block my-3 overflow-hidden rounded-lg bg-zinc-50 ring-1 ring-zinc-200"
      data-language={language}
    >
      <div className="flex items-center justify-between border-b border-zinc-200 bg-zinc-100 px-3 py-1">
        <span className="font-mono text-xs text-zinc-500">{language ?? 'text'}</span>
        <CopyButton text={code} label="Copy code" />
      </div>
      <pre className="overflow-x-auto p-3 text-[13px] leading-relaxed">
        <code className={language ? `hljs language-${language}` : 'hljs'}>
          {tree ? renderHighlighted(tree.children) : code}
        </code>
      </pre>
    </div>
  )
}
