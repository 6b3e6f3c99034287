import { type ReactNode, useMemo } from 'react'
import type { HighlightedCode } from './code-highlighter'
import { CopyButton } from './copy-button'
import { lazyValue } from './lazy-value'

type HighlightedNode = HighlightedCode['children'][number]

const highlighter = lazyValue(() => import('./code-highlighter').then((module) => module.highlightCode))

/**
 * Loads the highlighter (one chunk for the page). Code blocks load it by
 * themselves; call it early to have code highlighted on first paint.
 */
export const preloadHighlighter = highlighter.load

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
  const highlight = highlighter.useValue()
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
