import bash from 'highlight.js/lib/languages/bash'
import css from 'highlight.js/lib/languages/css'
import go from 'highlight.js/lib/languages/go'
import java from 'highlight.js/lib/languages/java'
import javascript from 'highlight.js/lib/languages/javascript'
import json from 'highlight.js/lib/languages/json'
import python from 'highlight.js/lib/languages/python'
import rust from 'highlight.js/lib/languages/rust'
import sql from 'highlight.js/lib/languages/sql'
import typescript from 'highlight.js/lib/languages/typescript'
import xml from 'highlight.js/lib/languages/xml'
import { createLowlight } from 'lowlight'

/*
 * Loaded with a dynamic import by code-block.tsx, so the grammars stay out of
 * the initial bundle. lowlight returns a syntax tree rather than an HTML
 * string: code is rendered as React elements and never through innerHTML.
 */
const lowlight = createLowlight({ bash, css, go, java, javascript, json, python, rust, sql, typescript, xml })
// The grammars bring their usual aliases (ts, js, py, sh, html, rs, ...); these are other common fence names.
lowlight.registerAlias({ bash: ['shell', 'console'], xml: ['vue'], json: ['jsonc'] })

/** A highlighted piece of code: a tree of `span`s with `hljs-*` classes and text. */
export type HighlightedCode = ReturnType<typeof lowlight.highlight>

/** The highlighted tree of `code`, or null when the language is not one we load. */
export function highlightCode(code: string, language: string): HighlightedCode | null {
  if (!lowlight.registered(language)) return null
  return lowlight.highlight(language, code)
}
