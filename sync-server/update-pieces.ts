import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'

/**
 * Cuts a Yjs update (format V1, what the server stores) into smaller
 * updates that, applied one after another, give the same document: so a
 * big room can be loaded a piece per turn of the event loop instead of in
 * one `Y.applyUpdate` that holds the loop for as long as the whole room
 * takes (decision 021, "the server holds only rooms in use").
 *
 * A piece is a valid V1 update: for each client, a run of that client's
 * structs copied byte for byte (V1 encodes every id in full, so a struct's
 * bytes do not depend on the struct before it), and an empty delete set,
 * except the last piece, which carries the whole delete set. Pieces are
 * ordered so that what an item refers to (its origin, right origin and
 * parent item) comes in an earlier piece or the same one; Yjs would keep an
 * item whose references are missing as pending and merge every later piece
 * into that pending update, which costs as much as it saves. A malformed
 * update whose references go round in a circle is still cut; Yjs then
 * holds the item pending, as it would have anyway.
 *
 * Only the structure is read: strings and values are skipped, not decoded.
 */

/** Piece size the server aims for, in bytes: one applies in a few milliseconds. */
export const PIECE_BYTES = 8 * 1024

interface Struct {
  /** Byte range of the struct in the update, info byte included. */
  start: number
  end: number
  clock: number
  length: number
  /** Ids this struct refers to, as [client, clock, client, clock, …]. */
  refs: number[]
}

interface ClientStructs {
  client: number
  /** Clock of the first struct in the update. */
  firstClock: number
  /** Clock after the last struct in the update. */
  endClock: number
  structs: Struct[]
  /** Index of the next struct to put into a piece. */
  next: number
}

interface ParsedUpdate {
  clients: ClientStructs[]
  byClient: Map<number, ClientStructs>
  /** Byte range of the delete set (to the end of the update). */
  deleteSetStart: number
}

/** Skips a var-string, answering how many UTF-16 code units it holds (a string item's clock length). */
function skipString(decoder: decoding.Decoder, bytes: Uint8Array): number {
  const byteLength = decoding.readVarUint(decoder)
  const end = decoder.pos + byteLength
  if (end > bytes.length) throw new Error('update ends inside a string')
  let units = 0
  for (let i = decoder.pos; i < end; i++) {
    const b = bytes[i]
    // Every UTF-8 sequence is one code unit, except four-byte ones (a surrogate pair).
    if ((b & 0xc0) !== 0x80) units += b >= 0xf0 ? 2 : 1
  }
  decoder.pos = end
  return units
}

function skipBytes(decoder: decoding.Decoder, bytes: Uint8Array) {
  const length = decoding.readVarUint(decoder)
  decoder.pos += length
  if (decoder.pos > bytes.length) throw new Error('update ends inside a value')
}

/** Skips a value of lib0's `writeAny` encoding without building it. */
function skipAny(decoder: decoding.Decoder, bytes: Uint8Array): void {
  const type = decoding.readUint8(decoder)
  switch (type) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125: // variable-length integer: bytes up to one without the continuation bit
      while (decoder.pos < bytes.length && bytes[decoder.pos] & 0x80) decoder.pos++
      decoder.pos++
      break
    case 124: // float32
      decoder.pos += 4
      break
    case 123: // float64
    case 122: // bigint64
      decoder.pos += 8
      break
    case 119: // string
    case 116: // Uint8Array
      skipBytes(decoder, bytes)
      break
    case 118: {
      // object: key, value pairs
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) {
        skipBytes(decoder, bytes)
        skipAny(decoder, bytes)
      }
      break
    }
    case 117: {
      // array
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) skipAny(decoder, bytes)
      break
    }
    default:
      throw new Error(`unknown value type ${type}`)
  }
  if (decoder.pos > bytes.length) throw new Error('update ends inside a value')
}

/** Reads an item's content past its end, answering its clock length. */
function skipContent(decoder: decoding.Decoder, bytes: Uint8Array, ref: number): number {
  switch (ref) {
    case 1: // Deleted
      return decoding.readVarUint(decoder)
    case 2: {
      // JSON: strings
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) skipBytes(decoder, bytes)
      return count
    }
    case 3: // Binary
      skipBytes(decoder, bytes)
      return 1
    case 4: // String
      return skipString(decoder, bytes)
    case 5: // Embed (JSON string)
      skipBytes(decoder, bytes)
      return 1
    case 6: // Format: key, JSON string
      skipBytes(decoder, bytes)
      skipBytes(decoder, bytes)
      return 1
    case 7: {
      // Type: type ref, and a key for XmlElement (3) and XmlHook (5)
      const typeRef = decoding.readVarUint(decoder)
      if (typeRef === 3 || typeRef === 5) skipBytes(decoder, bytes)
      return 1
    }
    case 8: {
      // Any
      const count = decoding.readVarUint(decoder)
      for (let i = 0; i < count; i++) skipAny(decoder, bytes)
      return count
    }
    case 9: // Doc: guid, options
      skipBytes(decoder, bytes)
      skipAny(decoder, bytes)
      return 1
    default:
      throw new Error(`unknown content ${ref}`)
  }
}

/** Structs read between two chances to yield the event loop (`splitUpdateAcrossTurns`). */
const STRUCTS_PER_STEP = 200

function* parse(update: Uint8Array): Generator<void, ParsedUpdate> {
  const decoder = decoding.createDecoder(update)
  const clients: ClientStructs[] = []
  const byClient = new Map<number, ClientStructs>()
  const clientCount = decoding.readVarUint(decoder)
  // Counted over the whole update: a room written by thousands of clients has a few structs each.
  let read = 0
  for (let c = 0; c < clientCount; c++) {
    const structCount = decoding.readVarUint(decoder)
    const client = decoding.readVarUint(decoder)
    let clock = decoding.readVarUint(decoder)
    const entry: ClientStructs = { client, firstClock: clock, endClock: clock, structs: [], next: 0 }
    for (let s = 0; s < structCount; s++) {
      const start = decoder.pos
      const info = decoding.readUint8(decoder)
      const ref = info & 0b11111
      const refs: number[] = []
      let length: number
      if (ref === 0 || ref === 10) {
        // GC, Skip
        length = decoding.readVarUint(decoder)
      } else {
        if (info & 0x80) refs.push(decoding.readVarUint(decoder), decoding.readVarUint(decoder)) // origin
        if (info & 0x40) refs.push(decoding.readVarUint(decoder), decoding.readVarUint(decoder)) // right origin
        if ((info & 0xc0) === 0) {
          if (decoding.readVarUint(decoder) === 1)
            skipBytes(decoder, update) // a root type's name
          else refs.push(decoding.readVarUint(decoder), decoding.readVarUint(decoder)) // parent item
          if (info & 0x20) skipBytes(decoder, update) // key in a map
        }
        length = skipContent(decoder, update, ref)
      }
      entry.structs.push({ start, end: decoder.pos, clock, length, refs })
      clock += length
      if (++read % STRUCTS_PER_STEP === 0) yield
    }
    entry.endClock = clock
    // Yjs keeps the last block of a client that appears twice; so does this.
    const previous = byClient.get(client)
    if (previous) clients.splice(clients.indexOf(previous), 1)
    clients.push(entry)
    byClient.set(client, entry)
  }
  return { clients, byClient, deleteSetStart: decoder.pos }
}

/** A piece being filled: per client, the run of structs [from, to). */
type Runs = Map<ClientStructs, { from: number; to: number }>

/** A piece planned: its runs, and the delete set for the last piece. */
interface PiecePlan {
  readonly runs: Runs
  readonly deleteSet: Uint8Array | null
}

function encodePiece(update: Uint8Array, { runs, deleteSet }: PiecePlan): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, runs.size)
  for (const [entry, { from, to }] of runs) {
    encoding.writeVarUint(encoder, to - from)
    encoding.writeVarUint(encoder, entry.client)
    encoding.writeVarUint(encoder, entry.structs[from].clock)
    encoding.writeUint8Array(encoder, update.subarray(entry.structs[from].start, entry.structs[to - 1].end))
  }
  if (deleteSet) encoding.writeUint8Array(encoder, deleteSet)
  else encoding.writeVarUint(encoder, 0)
  return encoding.toUint8Array(encoder)
}

/**
 * The pieces of `update`, each near `pieceBytes` (a struct larger than that
 * is a piece of its own). An update no larger than `pieceBytes` is its own
 * only piece. Throws on bytes that are not a V1 update.
 */
export function splitUpdate(update: Uint8Array, pieceBytes = PIECE_BYTES): Uint8Array[] {
  if (update.byteLength <= pieceBytes) return [update]
  const steps = parse(update)
  for (;;) {
    const step = steps.next()
    if (step.done) return [...piecesOf(update, step.value, pieceBytes)].filter((piece) => piece !== null)
  }
}

/**
 * `splitUpdate`, reading the update in steps and calling `pause` between
 * them (to let the event loop turn) once `stepMs` have gone by since the
 * last pause; throws, as `splitUpdate` does, before answering. Answers the
 * pieces as a sequence computed as it is read: each piece is made when the
 * caller takes it, and `null` marks a point where the caller may pause
 * while no piece is ready yet. Making every piece at once held the loop
 * for 10-20 ms for a room of 2 MB.
 */
export async function splitUpdateAcrossTurns(
  update: Uint8Array,
  pause: () => Promise<unknown>,
  { pieceBytes = PIECE_BYTES, stepMs = 2 } = {},
): Promise<Iterable<Uint8Array | null>> {
  if (update.byteLength <= pieceBytes) return [update]
  const steps = parse(update)
  let turnStarted = performance.now()
  for (;;) {
    const step = steps.next()
    if (step.done) return piecesOf(update, step.value, pieceBytes)
    if (performance.now() - turnStarted >= stepMs) {
      await pause()
      turnStarted = performance.now()
    }
  }
}

/**
 * The pieces of a parsed update, made one at a time as they are taken;
 * `null` after each client whose structs are all placed and no piece was
 * completed meanwhile, so that planning a long run of small clients can be
 * paused too.
 */
function* piecesOf(update: Uint8Array, parsed: ParsedUpdate, pieceBytes: number): Generator<Uint8Array | null> {
  const planned: PiecePlan[] = []
  let runs: Runs = new Map()
  let runBytes = 0

  const flush = (last: boolean) => {
    const deleteSet = last ? update.subarray(parsed.deleteSetStart) : null
    if (runs.size || deleteSet) planned.push({ runs, deleteSet })
    runs = new Map()
    runBytes = 0
  }

  const emitted = (client: number, clock: number) => {
    const entry = parsed.byClient.get(client)
    // Not in this update, or before or after what it holds: nothing here can provide it.
    if (!entry || clock < entry.firstClock || clock >= entry.endClock) return true
    return entry.next < entry.structs.length ? entry.structs[entry.next].clock > clock : true
  }

  const take = (entry: ClientStructs) => {
    const struct = entry.structs[entry.next]
    const run = runs.get(entry)
    if (run) run.to = entry.next + 1
    else runs.set(entry, { from: entry.next, to: entry.next + 1 })
    entry.next++
    runBytes += struct.end - struct.start
    if (runBytes >= pieceBytes) flush(false)
  }

  // Puts `entry`'s structs into pieces up to `clock`, what each refers to first.
  // `visiting` holds the clients on the way here: a reference back to one of
  // them is a circle (only in a malformed update), left for Yjs to hold pending.
  const visiting = new Set<ClientStructs>()
  const emitThrough = (entry: ClientStructs, clock: number) => {
    visiting.add(entry)
    while (entry.next < entry.structs.length && entry.structs[entry.next].clock <= clock) {
      const { refs } = entry.structs[entry.next]
      for (let i = 0; i < refs.length; i += 2) {
        if (emitted(refs[i], refs[i + 1])) continue
        const other = parsed.byClient.get(refs[i])!
        if (!visiting.has(other)) emitThrough(other, refs[i + 1])
      }
      take(entry)
    }
    visiting.delete(entry)
  }

  // A flushed piece's runs are final: `take` only extends the runs of the piece being filled.
  function* takePlanned() {
    for (let plan = planned.shift(); plan; plan = planned.shift()) yield encodePiece(update, plan)
  }
  for (const entry of parsed.clients) {
    emitThrough(entry, Infinity)
    if (!planned.length) yield null
    yield* takePlanned()
  }
  flush(true)
  yield* takePlanned()
}

/**
 * Whether `update` reads as a V1 update to its last byte (structs, then
 * the delete set): bytes a broken client sent do not, and are not passed on.
 */
export function isWellFormedUpdate(update: Uint8Array): boolean {
  try {
    const steps = parse(update)
    let step = steps.next()
    while (!step.done) step = steps.next()
    const decoder = decoding.createDecoder(update)
    decoder.pos = step.value.deleteSetStart
    const clients = decoding.readVarUint(decoder)
    for (let c = 0; c < clients; c++) {
      decoding.readVarUint(decoder)
      const ranges = decoding.readVarUint(decoder)
      for (let r = 0; r < ranges; r++) {
        decoding.readVarUint(decoder)
        decoding.readVarUint(decoder)
      }
    }
    return decoder.pos === update.length
  } catch {
    return false
  }
}
