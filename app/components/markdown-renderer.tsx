import { memo } from 'react'
import Markdown, { type Components } from 'react-markdown'
import remarkGfm from 'remark-gfm'
import { CodeBlock } from './code-block'

/** Links lead only to web pages and mail; `javascript:`, `data:` and relative URLs are not links. */
const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])

/**
 * The URL when it is absolute http(s) or mailto, else null. Parsed as the
 * browser would parse the attribute, so tricks with case, whitespace or
 * entities cannot slip another scheme past the check.
 */
export function safeLinkUrl(url: string): string | null {
  try {
    const parsed = new URL(url)
    return LINK_PROTOCOLS.has(parsed.protocol) ? parsed.href : null
  } catch {
    return null
  }
}

/** A fence's info word as a language name: short, and only characters language names use. */
function languageOf(className: unknown): string | undefined {
  const classes = Array.isArray(className) ? className : []
  const found = classes.find((c): c is string => typeof c === 'string' && c.startsWith('language-'))
  const name = found?.slice('language-'.length).toLowerCase()
  return name && /^[\w+#.-]{1,32}$/.test(name) ? name : undefined
}

interface HastLike {
  type: string
  value?: string
  tagName?: string
  properties?: Record<string, unknown>
  children?: HastLike[]
}

function textOf(node: HastLike): string {
  if (node.type === 'text') return node.value ?? ''
  return (node.children ?? []).map(textOf).join('')
}

const remarkPlugins = [remarkGfm]

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  // Remote images are not loaded (they would tell a third party who reads the chat, and when); a link to one is shown.
  img: ({ src, alt }) =>
    typeof src === 'string' && src ? (
      <a href={src} target="_blank" rel="noopener noreferrer">
        {alt || src}
      </a>
    ) : (
      <span>{alt}</span>
    ),
  pre: ({ node, children }) => {
    const code = (node as HastLike | undefined)?.children?.find((c) => c.type === 'element' && c.tagName === 'code')
    if (!code) return <pre>{children}</pre>
    // The Markdown parser ends every code block's text with one newline.
    const text = textOf(code).replace(/\n$/, '')
    return <CodeBlock code={text} language={languageOf(code.properties?.className)} />
  },
  table: ({ children }) => (
    <div className="markdown-table">
      <table>{children}</table>
    </div>
  ),
}

/**
 * Renders text as GitHub-flavoured Markdown. Safe by construction: raw HTML
 * in the text is shown as text (never parsed into elements), only http(s)
 * and mailto URLs become links (opened in a new tab without an opener),
 * images are shown as links, and nothing goes through innerHTML. Partial
 * Markdown renders as far as it goes: an unclosed code fence is a code block
 * up to the end of the text, as CommonMark specifies. Loaded lazily through
 * `MessageMarkdown` (markdown.tsx), which is what the app uses.
 */
export const MarkdownRenderer = memo(function MarkdownRenderer({ text, className }: MarkdownRendererProps) {
  return (
    <div className={className ? `markdown ${className}` : 'markdown'}>
      <Markdown remarkPlugins={remarkPlugins} components={components} urlTransform={safeLinkUrl}>
        {text}
      </Markdown>
    </div>
  )
})

export interface MarkdownRendererProps {
  /** The message text, complete or still streaming. */
  text: string
  className?: string
}
