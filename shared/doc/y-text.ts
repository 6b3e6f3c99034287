import type * as Y from 'yjs'

function isHigh(code: number) {
  return code >= 0xd800 && code <= 0xdbff
}
function isLow(code: number) {
  return code >= 0xdc00 && code <= 0xdfff
}

/**
 * Makes `text` read `next` by replacing only the span between the common
 * prefix and suffix. Rewriting the whole text would delete what a colleague
 * typed concurrently elsewhere in it; this keeps every edit outside the span.
 * Yjs counts UTF-16 units, so the span never splits a surrogate pair.
 * Returns whether the text changed.
 */
export function replaceText(text: Y.Text, next: string): boolean {
  const prev = text.toString()
  if (prev === next) return false
  const max = Math.min(prev.length, next.length)
  let start = 0
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++
  if (start > 0 && isHigh(prev.charCodeAt(start - 1))) start--
  let end = 0
  while (end < max - start && prev.charCodeAt(prev.length - 1 - end) === next.charCodeAt(next.length - 1 - end)) end++
  if (end > 0 && isLow(prev.charCodeAt(prev.length - end))) end--
  const removed = prev.length - start - end
  if (removed > 0) text.delete(start, removed)
  const inserted = next.slice(start, next.length - end)
  if (inserted) text.insert(start, inserted)
  return true
}
