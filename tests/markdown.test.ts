import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { beforeAll, describe, expect, test } from 'vitest'
import { preloadHighlighter } from '../app/components/code-block'
import { CopyButton } from '../app/components/copy-button'
import { MessageMarkdown, preloadMarkdown } from '../app/components/markdown'
import { safeLinkUrl } from '../app/components/markdown-renderer'

const render = (text: string) => renderToStaticMarkup(createElement(MessageMarkdown, { text }))

// Runs first, while the renderer's chunk is not loaded yet (nothing preloads it outside a browser).
describe('MessageMarkdown before its renderer has loaded', () => {
  test('shows the text as plain, escaped text with its line breaks', () => {
    const html = render('# Title\n<script>alert(1)</script>')
    expect(html).toBe('<div class="whitespace-pre-wrap"># Title\n&lt;script&gt;alert(1)&lt;/script&gt;</div>')
  })
})

describe('MessageMarkdown renders GitHub-flavoured Markdown', () => {
  beforeAll(async () => {
    await preloadMarkdown()
  })

  test('headings, lists, emphasis and inline code', () => {
    const html = render('# Title\n\n## Part\n\n- one\n- **two**\n\n1. first\n2. second\n\nUse `npm ci` here.')
    expect(html).toMatch(/^<div class="markdown">/)
    expect(html).toContain('<h1>Title</h1>')
    expect(html).toContain('<h2>Part</h2>')
    expect(html).toMatch(/<ul>\s*<li>one<\/li>\s*<li><strong>two<\/strong><\/li>\s*<\/ul>/)
    expect(html).toMatch(/<ol>\s*<li>first<\/li>\s*<li>second<\/li>\s*<\/ol>/)
    expect(html).toContain('<code>npm ci</code>')
  })

  test('tables, strikethrough and task lists', () => {
    const html = render('| a | b |\n| - | -: |\n| 1 | 2 |\n\n~~old~~\n\n- [x] done\n- [ ] todo')
    expect(html).toMatch(/<table><thead><tr><th>a<\/th><th style="text-align:right">b<\/th><\/tr><\/thead>/)
    expect(html).toContain('<td>1</td>')
    expect(html).toContain('<del>old</del>')
    expect(html).toMatch(/<input type="checkbox" disabled="" checked=""\/> done/)
  })

  test('http(s) and mailto links open in a new tab without an opener; bare URLs become links', () => {
    const html = render('[docs](https://example.com/a?b=1) and mail@example.com and https://example.org')
    expect(html).toContain('<a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">docs</a>')
    expect(html).toContain('<a href="mailto:mail@example.com" target="_blank" rel="noopener noreferrer">')
    expect(html).toContain('<a href="https://example.org/" target="_blank" rel="noopener noreferrer">')
  })

  test('a hard line break becomes a br', () => {
    expect(render('line one  \nline two')).toContain('line one<br/>')
  })
})

describe('MessageMarkdown is safe with hostile text', () => {
  beforeAll(async () => {
    await preloadMarkdown()
  })

  test('a script tag is shown as text, never as an element', () => {
    const html = render('Hi <script>alert(1)</script> there\n\n<script>alert(2)</script>')
    expect(html).not.toMatch(/<script/i)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
  })

  test('an img with onerror, and other raw HTML, never become elements or attributes', () => {
    const html = render(
      '<img src=x onerror="alert(1)">\n\ninline <b onclick="x()">bold</b> <iframe src="https://evil.example"></iframe>',
    )
    expect(html).not.toMatch(/<img/i)
    expect(html).not.toMatch(/<b[ >]/i)
    expect(html).not.toMatch(/<iframe/i)
    expect(html).not.toMatch(/<[a-z][^>]*\sonerror=/i)
    expect(html).not.toMatch(/<[a-z][^>]*\sonclick=/i)
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
  })

  test.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['JavaScript: with odd case and spaces', '[click](  JaVaScRiPt:alert(1))'],
    ['an entity-encoded scheme', '[click](javascript&#58;alert(1))'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['a relative URL', '[click](/settings)'],
  ])('a link to %s is plain text, not a link', (_name, text) => {
    const html = render(text)
    expect(html).not.toMatch(/<a[ >]/)
    expect(html).not.toMatch(/javascript/i)
    expect(html).toContain('<span>click</span>')
  })

  test('an image is not loaded: it is a link to the picture, and only for http(s)', () => {
    const html = render('![a cat](https://example.com/cat.png) ![bad](javascript:alert(1))')
    expect(html).not.toMatch(/<img/i)
    expect(html).toContain('<a href="https://example.com/cat.png" target="_blank" rel="noopener noreferrer">a cat</a>')
    expect(html).toContain('<span>bad</span>')
  })

  test('safeLinkUrl accepts only absolute http, https and mailto URLs', () => {
    expect(safeLinkUrl('https://example.com')).toBe('https://example.com/')
    expect(safeLinkUrl('http://localhost:3000/x')).toBe('http://localhost:3000/x')
    expect(safeLinkUrl('mailto:a@b.c')).toBe('mailto:a@b.c')
    for (const bad of [
      'javascript:alert(1)',
      ' javascript:alert(1)',
      'vbscript:x',
      'data:,x',
      'file:///etc/passwd',
      '//evil.example',
      '#top',
      'x',
    ]) {
      expect(safeLinkUrl(bad)).toBeNull()
    }
  })
})

describe('fenced code blocks', () => {
  beforeAll(async () => {
    await preloadMarkdown()
  })

  test('show the language, a Copy button and the code, escaped', () => {
    const html = render('Before\n\n```ts\nconst a: number = 1 < 2 ? 1 : 0\n```\n\nAfter')
    expect(html).toContain('data-language="ts"')
    expect(html).toMatch(/<span class="[^"]*">ts<\/span>/)
    expect(html).toMatch(/<button type="button" aria-label="Copy code" title="Copy code"[^>]*>Copy<\/button>/)
    expect(html).toContain('<code class="hljs language-ts">const a: number = 1 &lt; 2 ? 1 : 0</code>')
    expect(html).toContain('<p>After</p>')
  })

  test('a fence without a language is labelled text', () => {
    const html = render('```\nplain words\n```')
    expect(html).toMatch(/<span class="[^"]*">text<\/span>/)
    expect(html).toContain('<code class="hljs">plain words</code>')
  })

  test('an unclosed fence while an answer streams renders as code up to the end', () => {
    const html = render('Here is the fix:\n\n```python\ndef add(a, b):\n    return a + b')
    expect(html).toContain('<p>Here is the fix:</p>')
    expect(html).toContain('data-language="python"')
    expect(html).toContain('<code class="hljs language-python">def add(a, b):\n    return a + b</code>')
    expect(html).toContain('aria-label="Copy code"')
  })

  test('HTML inside a code block stays text', () => {
    const html = render('```html\n<script>alert(1)</script>\n```')
    expect(html).not.toMatch(/<script/i)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
  })

  test('once the highlighter is loaded, code is highlighted with hljs classes and still escaped', async () => {
    const highlight = await preloadHighlighter()
    expect(highlight('x', 'brainfuck')).toBeNull()
    const html = render('```ts\nconst tag = "<script>"\n```\n\n```unknownlang\nconst x = 1\n```')
    expect(html).toMatch(
      /<span class="hljs-keyword">const<\/span> tag = <span class="hljs-string">&quot;&lt;script&gt;&quot;<\/span>/,
    )
    expect(html).not.toMatch(/<script/i)
    // A language not loaded stays plain.
    expect(html).toContain('<code class="hljs language-unknownlang">const x = 1</code>')
  })

  test.each(['js', 'python', 'bash', 'json', 'html', 'css', 'sql', 'go', 'rust', 'java', 'tsx', 'sh', 'py'])(
    'highlights %s',
    async (language) => {
      const highlight = await preloadHighlighter()
      expect(highlight('x = 1', language)).not.toBeNull()
    },
  )
})

describe('CopyButton', () => {
  test('is a button named by its label that reads Copy, with a live region for the outcome', () => {
    const html = renderToStaticMarkup(createElement(CopyButton, { text: 'whole message', label: 'Copy message' }))
    expect(html).toMatch(/^<button type="button" aria-label="Copy message" title="Copy message"[^>]*>Copy<\/button>/)
    expect(html).toContain('<span role="status" class="sr-only"></span>')
  })
})
