import { describe, expect, test } from 'vitest'
import { isTypingTarget, matchesShortcut, shortcutKeys, shouldRun, type KeyPress } from '../app/lib/use-shortcuts'

const press = (key: string, mods: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
})

const newChat = { key: 'o', mod: true, shift: true, description: 'New chat', run: () => {} }
const search = { key: 'k', mod: true, shift: false, description: 'Search chats', run: () => {} }
const help = { key: '?', description: 'Shortcuts', run: () => {} }

const input = { tagName: 'INPUT', type: 'text', isContentEditable: false }
const textarea = { tagName: 'TEXTAREA', isContentEditable: false }
const button = { tagName: 'BUTTON', isContentEditable: false }

describe('matchesShortcut', () => {
  test('Ctrl and ⌘ are the same modifier; Shift must be as declared', () => {
    expect(matchesShortcut(press('O', { ctrlKey: true, shiftKey: true }), newChat)).toBe(true)
    expect(matchesShortcut(press('O', { metaKey: true, shiftKey: true }), newChat)).toBe(true)
    expect(matchesShortcut(press('o', { ctrlKey: true }), newChat)).toBe(false)
    expect(matchesShortcut(press('K', { ctrlKey: true, shiftKey: true }), search)).toBe(false)
    expect(matchesShortcut(press('k', { ctrlKey: true }), search)).toBe(true)
  })

  test('a plain key needs no modifier, Alt or composition text never matches', () => {
    expect(matchesShortcut(press('?', { shiftKey: true }), help)).toBe(true)
    expect(matchesShortcut(press('?', { ctrlKey: true, shiftKey: true }), help)).toBe(false)
    expect(matchesShortcut(press('k', { ctrlKey: true, altKey: true }), search)).toBe(false)
    expect(matchesShortcut(press('k', { ctrlKey: true, isComposing: true }), search)).toBe(false)
    expect(matchesShortcut(press('k'), search)).toBe(false)
  })
})

describe('shouldRun', () => {
  test('a plain "?" typed into a message is text, not a shortcut; on a button it opens the help', () => {
    expect(shouldRun(press('?', { shiftKey: true }), textarea, help)).toBe(false)
    expect(shouldRun(press('?', { shiftKey: true }), input, help)).toBe(false)
    expect(shouldRun(press('?', { shiftKey: true }), { isContentEditable: true }, help)).toBe(false)
    expect(shouldRun(press('?', { shiftKey: true }), button, help)).toBe(true)
    expect(shouldRun(press('?', { shiftKey: true }), null, help)).toBe(true)
  })

  test('modifier shortcuts work while typing', () => {
    expect(shouldRun(press('k', { ctrlKey: true }), input, search)).toBe(true)
    expect(shouldRun(press('O', { metaKey: true, shiftKey: true }), textarea, newChat)).toBe(true)
  })
})

test('isTypingTarget: text fields are, checkboxes are not', () => {
  expect(isTypingTarget({ tagName: 'INPUT', type: 'search' })).toBe(true)
  expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false)
  expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true)
  expect(isTypingTarget({ tagName: 'DIV', isContentEditable: false })).toBe(false)
})

test('shortcutKeys writes ⌘ on a Mac and Ctrl elsewhere', () => {
  expect(shortcutKeys(newChat, true)).toEqual(['⌘', 'Shift', 'O'])
  expect(shortcutKeys(search, false)).toEqual(['Ctrl', 'K'])
  expect(shortcutKeys(help, false)).toEqual(['?'])
})
