import * as Y from 'yjs'
import { z } from 'zod'
import { AppError } from '../errors'
import { parseInput } from '../validation'
import { docId, newId, timestamp } from './ids'
import { type DocOrigin, LOCAL_ORIGIN } from './origin'
import { type ReadOptions, readStored } from './read'
import { replaceText } from './y-text'

/**
 * Root `Y.Map<sidekiqId, Y.Map>` of custom assistants. Used in the
 * workspace's shared room only; private rooms hold chats alone.
 */
export const SIDEKIQS_KEY = 'sidekiqs'

/** Most conversation starters a sidekiq shows, as in ChatGPT's GPTs. */
export const MAX_CONVERSATION_STARTERS = 6

/** A sidekiq's avatar as accepted on input. */
export const sidekiqAvatarInput = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('emoji'),
    value: z
      .string()
      .trim()
      .min(1, 'Required')
      .max(16, 'One emoji')
      .regex(/\p{Extended_Pictographic}|\p{Regional_Indicator}/u, 'Must be an emoji'),
  }),
  z.strictObject({
    kind: z.literal('initials'),
    value: z
      .string()
      .trim()
      .regex(/^[\p{L}\p{N}]{1,3}$/u, 'One to three letters or digits'),
    color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'A color like #4f46e5'),
  }),
])

/** How a sidekiq is pictured. */
export type SidekiqAvatar = z.output<typeof sidekiqAvatarInput>

/** A sidekiq as readers return it: plain and validated. */
export interface Sidekiq {
  readonly id: string
  readonly name: string
  readonly description: string
  /** The system prompt, as text. */
  readonly instructions: string
  /** At most `MAX_CONVERSATION_STARTERS`. */
  readonly conversationStarters: readonly string[]
  /** The model a new chat with this sidekiq uses by default. */
  readonly model: string
  readonly avatar: SidekiqAvatar
  readonly favorite: boolean
  readonly createdBy: string
  readonly createdAt: number
  readonly updatedAt: number
}

/** Shape only, as with chats: limits are for input, so a changed limit hides nothing already written. */
const storedSidekiq = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  instructions: z.instanceof(Y.Text),
  conversationStarters: z.instanceof(Y.Array),
  model: z.string(),
  avatar: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('emoji'), value: z.string() }),
    z.object({ kind: z.literal('initials'), value: z.string(), color: z.string() }),
  ]),
  favorite: z.boolean().optional(),
  createdBy: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
})

/** Longest sidekiq name accepted on input. */
export const MAX_SIDEKIQ_NAME_LENGTH = 80

/** A sidekiq's name as accepted on input; chats that record a sidekiq's name check it alike. */
export const sidekiqNameInput = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(MAX_SIDEKIQ_NAME_LENGTH, `At most ${MAX_SIDEKIQ_NAME_LENGTH} characters`)
const sidekiqName = sidekiqNameInput
const description = z.string().trim().max(500, 'At most 500 characters')
const instructions = z.string().max(20_000, 'At most 20000 characters')
const modelId = z.string().trim().min(1, 'Required').max(128, 'Too long')
const conversationStarters = z
  .array(z.string().trim().min(1, 'Required').max(200, 'At most 200 characters'))
  .max(MAX_CONVERSATION_STARTERS, `At most ${MAX_CONVERSATION_STARTERS}`)

/** Input of `createSidekiq`. */
export const createSidekiqInput = z.strictObject({
  id: docId.optional(),
  name: sidekiqName,
  description: description.default(''),
  instructions: instructions.default(''),
  conversationStarters: conversationStarters.default([]),
  model: modelId,
  avatar: sidekiqAvatarInput.default({ kind: 'emoji', value: '🤖' }),
  favorite: z.boolean().default(false),
  createdBy: docId,
  createdAt: timestamp.optional(),
})

/** What `createSidekiq` accepts, before defaults. */
export type CreateSidekiqInput = z.input<typeof createSidekiqInput>

/** Input of `updateSidekiq`: the fields to change. Instructions change through `setSidekiqInstructions`. */
export const updateSidekiqInput = z
  .strictObject({
    name: sidekiqName.optional(),
    description: description.optional(),
    conversationStarters: conversationStarters.optional(),
    model: modelId.optional(),
    avatar: sidekiqAvatarInput.optional(),
    favorite: z.boolean().optional(),
  })
  .refine((p) => Object.values(p).some((x) => x !== undefined), 'Nothing to update')

/** What `updateSidekiq` accepts. */
export type UpdateSidekiqInput = z.input<typeof updateSidekiqInput>

interface SidekiqEntry {
  readonly map: Y.Map<unknown>
  readonly value: Sidekiq
}

function sidekiqsRoot(doc: Y.Doc): Y.Map<unknown> {
  return doc.getMap<unknown>(SIDEKIQS_KEY)
}

function readEntry(key: string, raw: unknown, options?: ReadOptions): SidekiqEntry | undefined {
  const path = `${SIDEKIQS_KEY}/${key}`
  const stored = readStored(storedSidekiq, raw, path, options)
  if (!stored) return undefined
  if (stored.id !== key) {
    options?.onInvalid?.({ path, message: `id: stored id "${stored.id}" differs from its key` })
    return undefined
  }
  const { instructions, conversationStarters: starters, favorite, ...rest } = stored
  const strings: string[] = []
  starters.forEach((s: unknown, i: number) => {
    if (typeof s === 'string') strings.push(s)
    else options?.onInvalid?.({ path: `${path}/conversationStarters/${i}`, message: 'Not a string' })
  })
  return {
    map: raw as Y.Map<unknown>,
    value: {
      ...rest,
      instructions: instructions.toString(),
      // The array's order is the same on every peer, so keeping the first six is too.
      conversationStarters: strings.slice(0, MAX_CONVERSATION_STARTERS),
      favorite: favorite ?? false,
    },
  }
}

/** Case and Unicode form folded, so "Writer" and "writer" are one name everywhere. */
function nameKey(name: string): string {
  return name.normalize('NFKC').toLowerCase()
}

function compareSidekiqs(a: Sidekiq, b: Sidekiq): number {
  if (a.favorite !== b.favorite) return a.favorite ? -1 : 1
  const an = nameKey(a.name)
  const bn = nameKey(b.name)
  if (an !== bn) return an < bn ? -1 : 1
  // Ties need the id: Y.Map iteration order differs between peers.
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/**
 * Every readable sidekiq, favorites first, then by name. Two peers can give
 * two sidekiqs one name while offline (uniqueness is checked per replica);
 * both are listed, in the same order everywhere.
 */
export function listSidekiqs(doc: Y.Doc, options?: ReadOptions): Sidekiq[] {
  const out: Sidekiq[] = []
  sidekiqsRoot(doc).forEach((raw, key) => {
    const entry = readEntry(key, raw, options)
    if (entry) out.push(entry.value)
  })
  return out.sort(compareSidekiqs)
}

/** The sidekiq, or `null` when absent or unreadable. */
export function getSidekiq(doc: Y.Doc, sidekiqId: string, options?: ReadOptions): Sidekiq | null {
  const root = sidekiqsRoot(doc)
  if (!root.has(sidekiqId)) return null
  return readEntry(sidekiqId, root.get(sidekiqId), options)?.value ?? null
}

/**
 * The live `Y.Text` of a sidekiq's instructions, for binding a
 * collaborative editor; `null` when the sidekiq is absent or unreadable.
 */
export function getSidekiqInstructionsText(doc: Y.Doc, sidekiqId: string): Y.Text | null {
  const root = sidekiqsRoot(doc)
  if (!root.has(sidekiqId) || !readEntry(sidekiqId, root.get(sidekiqId))) return null
  return (root.get(sidekiqId) as Y.Map<unknown>).get('instructions') as Y.Text
}

function requireSidekiq(doc: Y.Doc, sidekiqId: string): SidekiqEntry {
  const root = sidekiqsRoot(doc)
  const entry = root.has(sidekiqId) ? readEntry(sidekiqId, root.get(sidekiqId)) : undefined
  if (!entry) throw new AppError('NOT_FOUND', 'Sidekiq not found')
  return entry
}

function assertNameFree(doc: Y.Doc, name: string, exceptId?: string): void {
  const key = nameKey(name)
  const taken = listSidekiqs(doc).some((s) => s.id !== exceptId && nameKey(s.name) === key)
  if (taken)
    throw new AppError('CONFLICT', 'A sidekiq with this name already exists', {
      name: 'Another sidekiq already has this name',
    })
}

/** A new `Y.Array` per write: replacing the whole list makes concurrent edits resolve to one list, not a merge of both. */
function startersArray(starters: readonly string[]): Y.Array<string> {
  return Y.Array.from([...starters])
}

/** Moves `updatedAt` forward only, as with chats. */
function touch(entry: SidekiqEntry): void {
  const now = Date.now()
  if (now > entry.value.updatedAt) entry.map.set('updatedAt', now)
}

/**
 * Creates a sidekiq. Throws `CONFLICT` when the id is taken or another
 * sidekiq in the doc has the same name, ignoring case.
 */
export function createSidekiq(doc: Y.Doc, input: CreateSidekiqInput, origin: DocOrigin = LOCAL_ORIGIN): Sidekiq {
  const v = parseInput(createSidekiqInput, input)
  const id = v.id ?? newId()
  const createdAt = v.createdAt ?? Date.now()
  doc.transact(() => {
    const root = sidekiqsRoot(doc)
    if (root.has(id)) throw new AppError('CONFLICT', 'A sidekiq with this id already exists')
    assertNameFree(doc, v.name)
    const map = new Y.Map<unknown>()
    map.set('id', id)
    map.set('name', v.name)
    map.set('description', v.description)
    map.set('instructions', new Y.Text(v.instructions))
    map.set('conversationStarters', startersArray(v.conversationStarters))
    map.set('model', v.model)
    map.set('avatar', v.avatar)
    map.set('favorite', v.favorite)
    map.set('createdBy', v.createdBy)
    map.set('createdAt', createdAt)
    map.set('updatedAt', createdAt)
    root.set(id, map)
  }, origin)
  return requireSidekiq(doc, id).value
}

/** Changes the given fields. A new name must be free (`CONFLICT` otherwise). */
export function updateSidekiq(
  doc: Y.Doc,
  sidekiqId: string,
  patch: UpdateSidekiqInput,
  origin: DocOrigin = LOCAL_ORIGIN,
): Sidekiq {
  const { sidekiqId: id } = parseInput(z.strictObject({ sidekiqId: docId }), { sidekiqId })
  const v = parseInput(updateSidekiqInput, patch)
  doc.transact(() => {
    const entry = requireSidekiq(doc, id)
    if (v.name !== undefined) assertNameFree(doc, v.name, id)
    const { map } = entry
    if (v.name !== undefined) map.set('name', v.name)
    if (v.description !== undefined) map.set('description', v.description)
    if (v.conversationStarters !== undefined) map.set('conversationStarters', startersArray(v.conversationStarters))
    if (v.model !== undefined) map.set('model', v.model)
    if (v.avatar !== undefined) map.set('avatar', v.avatar)
    if (v.favorite !== undefined) map.set('favorite', v.favorite)
    touch(entry)
  }, origin)
  return requireSidekiq(doc, id).value
}

/**
 * Sets the instructions text, changing only the span that differs, so a
 * colleague's concurrent edit elsewhere in the text survives.
 */
export function setSidekiqInstructions(
  doc: Y.Doc,
  sidekiqId: string,
  text: string,
  origin: DocOrigin = LOCAL_ORIGIN,
): Sidekiq {
  const v = parseInput(z.strictObject({ sidekiqId: docId, instructions }), { sidekiqId, instructions: text })
  doc.transact(() => {
    const entry = requireSidekiq(doc, v.sidekiqId)
    if (replaceText(entry.map.get('instructions') as Y.Text, v.instructions)) touch(entry)
  }, origin)
  return requireSidekiq(doc, v.sidekiqId).value
}

/** Deletes a sidekiq. Chats that name it keep the id; readers of a chat find no sidekiq under it. */
export function deleteSidekiq(doc: Y.Doc, sidekiqId: string, origin: DocOrigin = LOCAL_ORIGIN): void {
  const v = parseInput(z.strictObject({ sidekiqId: docId }), { sidekiqId })
  doc.transact(() => {
    requireSidekiq(doc, v.sidekiqId)
    sidekiqsRoot(doc).delete(v.sidekiqId)
  }, origin)
}

/**
 * A name no other sidekiq of the doc has: the name with the first suffix
 * that is free (`suffix(1)`, `suffix(2)`...), the name cut short when the
 * suffix would pass the limit. By default the name itself, then
 * "<name> (2)", "(3)"...
 */
export function freeSidekiqName(
  doc: Y.Doc,
  name: string,
  suffix: (n: number) => string = (n) => (n === 1 ? '' : ` (${n})`),
): string {
  const taken = new Set(listSidekiqs(doc).map((s) => nameKey(s.name)))
  for (let n = 1; ; n++) {
    const end = suffix(n)
    const base = [...name.trim()]
      .slice(0, MAX_SIDEKIQ_NAME_LENGTH - end.length)
      .join('')
      .trimEnd()
    if (!taken.has(nameKey(base + end))) return base + end
  }
}

/** The name of a copy: "<name> (copy)", then "(copy 2)", "(copy 3)"... until one is free. */
const copyName = (doc: Y.Doc, name: string) => freeSidekiqName(doc, name, (n) => (n === 1 ? ' (copy)' : ` (copy ${n})`))

/** Input of `duplicateSidekiq`. */
export const duplicateSidekiqInput = z.strictObject({
  id: docId.optional(),
  createdBy: docId,
  createdAt: timestamp.optional(),
})

/**
 * Copies a sidekiq under a free name ("Writer (copy)", "Writer (copy 2)"...):
 * everything it says and does, owned by `createdBy`. The copy is not a
 * favorite: starring is a choice about the original.
 */
export function duplicateSidekiq(
  doc: Y.Doc,
  sidekiqId: string,
  input: z.input<typeof duplicateSidekiqInput>,
  origin: DocOrigin = LOCAL_ORIGIN,
): Sidekiq {
  const { sidekiqId: id } = parseInput(z.strictObject({ sidekiqId: docId }), { sidekiqId })
  const v = parseInput(duplicateSidekiqInput, input)
  let copy: Sidekiq | undefined
  // One transaction: the name picked is still free when the copy is written.
  doc.transact(() => {
    const original = requireSidekiq(doc, id).value
    copy = createSidekiq(
      doc,
      {
        ...(v.id !== undefined ? { id: v.id } : {}),
        name: copyName(doc, original.name),
        description: original.description,
        instructions: original.instructions,
        conversationStarters: [...original.conversationStarters],
        model: original.model,
        avatar: original.avatar,
        createdBy: v.createdBy,
        ...(v.createdAt !== undefined ? { createdAt: v.createdAt } : {}),
      },
      origin,
    )
  }, origin)
  return copy!
}

/**
 * What a chat shows for its sidekiq: the sidekiq's current name while it
 * exists, else the name the chat recorded when it was started, marked
 * deleted; `null` for a chat without a sidekiq. `sharedDoc` is the
 * workspace's shared room, where sidekiqs live, whichever room holds the chat.
 */
export function chatSidekiqLabel(
  sharedDoc: Y.Doc,
  chat: { readonly sidekiqId?: string; readonly sidekiqName?: string },
): { name: string; deleted: boolean; sidekiq: Sidekiq | null } | null {
  if (!chat.sidekiqId) return null
  const sidekiq = getSidekiq(sharedDoc, chat.sidekiqId)
  if (sidekiq) return { name: sidekiq.name, deleted: false, sidekiq }
  return { name: chat.sidekiqName ?? 'Sidekiq', deleted: true, sidekiq: null }
}

/** How many sidekiqs the document holds (what a plan's sidekiq limit counts). */
export function countSidekiqs(doc: Y.Doc): number {
  return sidekiqsRoot(doc).size
}

const SIDEKIQS_KEY_BYTES = new TextEncoder().encode(SIDEKIQS_KEY)

/**
 * The ids of the sidekiqs an update would add to `doc`, read from the
 * update before it is applied: the sync server takes out again those that
 * take a workspace past its plan's limit. A new sidekiq is a new key of the root
 * map, and Yjs writes a root parent by name in the update; an update that
 * does not contain that name adds none, which spares decoding the rest.
 */
export function sidekiqsAddedBy(doc: Y.Doc, update: Uint8Array): string[] {
  if (!containsBytes(update, SIDEKIQS_KEY_BYTES)) return []
  const root = sidekiqsRoot(doc)
  const added = new Set<string>()
  for (const struct of Y.decodeUpdate(update).structs) {
    // In a decoded update, a root parent is its name (typed as a type or an ID for items already integrated).
    if (!(struct instanceof Y.Item) || (struct.parent as unknown) !== SIDEKIQS_KEY || !struct.parentSub) continue
    if (!root.has(struct.parentSub)) added.add(struct.parentSub)
  }
  return [...added]
}

/** Removes sidekiqs by id in one change (those still there). */
export function removeSidekiqs(doc: Y.Doc, ids: readonly string[], origin: DocOrigin): void {
  const root = sidekiqsRoot(doc)
  doc.transact(() => {
    for (const id of ids) root.delete(id)
  }, origin)
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]
  outer: for (
    let i = haystack.indexOf(first);
    i !== -1 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}
