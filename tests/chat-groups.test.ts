// Every clock below is local time in this zone, which has a daylight-saving change (25-hour day on 2026-10-25).
process.env.TZ = 'Europe/Berlin'

import { describe, expect, test } from 'vitest'
import { groupChats, titleMatches } from '../app/lib/chat-groups'

/** Local time, month 1-based. */
const at = (y: number, m: number, d: number, h = 0, min = 0, s = 0, ms = 0) =>
  new Date(y, m - 1, d, h, min, s, ms).getTime()

const chat = (id: string, updatedAt: number, pinned = false) => ({ id, updatedAt, pinned })

/** Group labels with the ids in each, as the sidebar would show them. */
const shape = (groups: ReturnType<typeof groupChats>) =>
  Object.fromEntries(groups.map((g) => [g.label, g.chats.map((c) => c.id)]))

describe('groupChats', () => {
  test('the local midnight separates today from yesterday, to the millisecond', () => {
    const now = at(2026, 12, 3, 0, 0, 30) // Thursday, 30 s after midnight
    const groups = groupChats(
      [chat('midnight', at(2026, 12, 3)), chat('before', at(2026, 12, 2, 23, 59, 59, 999))],
      now,
    )
    expect(shape(groups)).toEqual({ Today: ['midnight'], Yesterday: ['before'] })
  })

  test('this week starts on Monday at local midnight; Sunday before is older', () => {
    const now = at(2026, 12, 3, 15) // Thursday 3 December 2026
    const groups = groupChats(
      [
        chat('sunday-late', at(2026, 11, 29, 23, 59, 59, 999)),
        chat('monday-start', at(2026, 11, 30)),
        chat('tuesday', at(2026, 12, 1, 12)),
        chat('wednesday', at(2026, 12, 2, 8)),
        chat('thursday', at(2026, 12, 3, 9)),
      ],
      now,
    )
    expect(shape(groups)).toEqual({
      Today: ['thursday'],
      Yesterday: ['wednesday'],
      'This week': ['tuesday', 'monday-start'],
      Older: ['sunday-late'],
    })
  })

  test('on a Monday, Sunday is yesterday and Saturday is already older', () => {
    const now = at(2026, 12, 7, 10) // Monday
    const groups = groupChats(
      [chat('saturday', at(2026, 12, 5, 22)), chat('sunday', at(2026, 12, 6, 1)), chat('monday', at(2026, 12, 7, 9))],
      now,
    )
    expect(shape(groups)).toEqual({ Today: ['monday'], Yesterday: ['sunday'], Older: ['saturday'] })
  })

  test('yesterday is a calendar day even when it lasted 25 hours (daylight saving ended)', () => {
    // Sunday 25 October 2026 has 25 hours in Berlin; subtracting 24 h from
    // Monday's midnight would land at 01:00 on Sunday and call 00:30 "older".
    const now = at(2026, 10, 26, 0, 30) // Monday
    expect(new Date(at(2026, 10, 24)).getTimezoneOffset()).not.toBe(new Date(now).getTimezoneOffset())
    const groups = groupChats(
      [chat('sunday-0030', at(2026, 10, 25, 0, 30)), chat('saturday', at(2026, 10, 24, 23))],
      now,
    )
    expect(shape(groups)).toEqual({ Yesterday: ['sunday-0030'], Older: ['saturday'] })
  })

  test('pinned chats come first whatever their age; then most recent first, ties by id', () => {
    const now = at(2026, 12, 3, 15)
    const groups = groupChats(
      [
        chat('b-today', at(2026, 12, 3, 10)),
        chat('old-pinned', at(2020, 1, 1), true),
        chat('a-today', at(2026, 12, 3, 10)),
        chat('newer-today', at(2026, 12, 3, 14)),
        chat('recent-pinned', at(2026, 12, 3, 11), true),
      ],
      now,
    )
    expect(groups.map((g) => g.key)).toEqual(['pinned', 'today'])
    expect(shape(groups)).toEqual({
      Pinned: ['recent-pinned', 'old-pinned'],
      Today: ['newer-today', 'a-today', 'b-today'],
    })
  })

  test('activity stamped after now (a clock running ahead) counts as today; no chats, no groups', () => {
    const now = at(2026, 12, 3, 23, 59)
    expect(shape(groupChats([chat('ahead', at(2026, 12, 4, 0, 5))], now))).toEqual({ Today: ['ahead'] })
    expect(groupChats([], now)).toEqual([])
  })

  test('accepts the clock as a Date as well as a number', () => {
    const now = new Date(at(2026, 12, 3, 15))
    expect(shape(groupChats([chat('x', at(2026, 12, 2, 15))], now))).toEqual({ Yesterday: ['x'] })
  })
})

describe('titleMatches', () => {
  test('matches a substring regardless of case and accents; a blank query matches everything', () => {
    expect(titleMatches('Café plans for Q3', 'cafe')).toBe(true)
    expect(titleMatches('Café plans for Q3', 'PLANS')).toBe(true)
    expect(titleMatches('Café plans for Q3', 'budget')).toBe(false)
    expect(titleMatches('Anything', '   ')).toBe(true)
  })
})
