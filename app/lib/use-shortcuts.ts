import { useEffect, useRef } from 'react'

/** A keyboard shortcut of the app. `mod` is Ctrl, or ⌘ on a Mac. */
export interface Shortcut {
  /** `KeyboardEvent.key`, compared case-insensitively: 'k', 'o', '?'. */
  readonly key: string
  readonly mod?: boolean
  /** Required Shift state; left out, either works (a '?' needs Shift on most layouts, not all). */
  readonly shift?: boolean
  /** What it does, as the shortcuts help lists it. */
  readonly description: string
  readonly run: () => void
}

/** The parts of a keyboard event a shortcut looks at, so matching is testable without a DOM. */
export interface KeyPress {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
  isComposing?: boolean
}

export function matchesShortcut(press: KeyPress, shortcut: Pick<Shortcut, 'key' | 'mod' | 'shift'>): boolean {
  // An IME composition's keys belong to the text being composed.
  if (press.isComposing || press.altKey) return false
  if (press.key.toLowerCase() !== shortcut.key.toLowerCase()) return false
  if ((press.ctrlKey || press.metaKey) !== Boolean(shortcut.mod)) return false
  return shortcut.shift === undefined || press.shiftKey === shortcut.shift
}

/** Whether keys pressed in `target` are text being typed (an input, a text area, an editable region). */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false
  const el = target as { tagName?: unknown; isContentEditable?: unknown; type?: unknown }
  if (el.isContentEditable === true) return true
  if (el.tagName === 'TEXTAREA' || el.tagName === 'SELECT') return true
  if (el.tagName !== 'INPUT') return false
  // Checkboxes, radios and buttons take no text: a '?' pressed on them is meant for the app.
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(String(el.type))
}

/**
 * Shortcuts a person may press anywhere; only a shortcut's own `mod` makes
 * it work while typing, so a plain '?' stays a character in a message. A
 * Mac's ⌘ and others' Ctrl are one modifier here, as in most web apps.
 */
export function shouldRun(press: KeyPress, target: unknown, shortcut: Shortcut): boolean {
  if (!matchesShortcut(press, shortcut)) return false
  return Boolean(shortcut.mod) || !isTypingTarget(target)
}

/** Listens for the given shortcuts on the document while mounted. */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  const current = useRef(shortcuts)
  current.current = shortcuts
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return
      // A modal dialog (a confirm, the help) owns the keyboard until it closes.
      if (document.querySelector('dialog[open]')) return
      const shortcut = current.current.find((s) => shouldRun(e, e.target, s))
      if (!shortcut) return
      e.preventDefault()
      shortcut.run()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [])
}

/** How a shortcut's keys are written for this person: ⌘ on a Mac, Ctrl elsewhere. */
export function shortcutKeys(shortcut: Pick<Shortcut, 'key' | 'mod' | 'shift'>, mac: boolean): string[] {
  const keys: string[] = []
  if (shortcut.mod) keys.push(mac ? '⌘' : 'Ctrl')
  if (shortcut.shift) keys.push('Shift')
  keys.push(shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key)
  return keys
}

/** Whether the browser runs on an Apple platform, where the shortcut modifier is written ⌘. */
export function isApplePlatform(): boolean {
  if (typeof navigator === 'undefined') return false
  return /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent)
}
