/**
 * Deterministic text for the benches' seeded workspaces: every run seeds
 * the same chats and messages, so runs compare.
 */

const WORDS = (
  'the a model answer question data user team plan week report budget draft review meeting customer release ' +
  'feature issue design test server client latency cache query index table chart summary note idea risk ' +
  'because which when then also only every each more less about into from with without before after'
).split(' ')

/** A small deterministic generator (mulberry32): every run seeds the same content. */
export function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Sentences of `WORDS`, cut to `length` characters. */
export function prose(next: () => number, length: number): string {
  let text = ''
  while (text.length < length) {
    const sentence = Array.from({ length: 6 + Math.floor(next() * 12) }, () => WORDS[Math.floor(next() * WORDS.length)])
    sentence[0] = sentence[0][0].toUpperCase() + sentence[0].slice(1)
    text += `${sentence.join(' ')}. `
  }
  return text.slice(0, length).trimEnd()
}
