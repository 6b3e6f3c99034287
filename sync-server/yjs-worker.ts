import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * Yjs work too slow for the event loop, done on a worker thread: merging a
 * room's stored updates holds a thread for 100+ ms for a 2-8 MB room, and
 * the sync server must not stall for more than ~20 ms.
 *
 * The worker's code is a plain JavaScript string (`eval: true`) because the
 * server runs from TypeScript through tsx in production and through vite in
 * tests, and a Worker pointed at a .ts file works in neither reliably. An
 * eval worker runs as a CommonJS script, so it loads Yjs's CJS build with
 * `require`, from the path this module resolves: the same copy of Yjs the
 * server uses.
 */

const WORKER_CODE = `
'use strict'
const { parentPort, workerData } = require('node:worker_threads')
const Y = require(workerData.yjsPath)

// Updates arrive packed in one buffer, so they cross threads in one transfer.
function unpack(buffer, lengths) {
  const updates = []
  let offset = 0
  for (const length of lengths) {
    updates.push(new Uint8Array(buffer, offset, length))
    offset += length
  }
  return updates
}

// As applyStoredUpdates (shared/doc/stored-updates.ts): one bad update must
// not make the room unreadable, so when the merge fails the updates are
// applied one by one and those Yjs rejects are skipped.
function mergeStored(updates) {
  const doc = new Y.Doc()
  let skipped = 0
  try {
    Y.applyUpdate(doc, Y.mergeUpdates(updates))
  } catch {
    for (const update of updates) {
      try {
        Y.applyUpdate(doc, update)
      } catch {
        skipped++
      }
    }
  }
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return { state, skipped }
}

// The result's buffer is transferred, so it must hold the result alone:
// Y.mergeUpdates of a single update answers a view into the input buffer.
function owned(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
}

// What of each of a room's kept updates a client with stateVector lacks.
function diffEach(updates, stateVector) {
  return updates.map((update) => Y.diffUpdate(update, stateVector))
}

parentPort.on('message', ({ id, op, buffer, lengths, stateVector }) => {
  try {
    const updates = unpack(buffer, lengths)
    if (op === 'diff') {
      const diffs = diffEach(updates, new Uint8Array(stateVector))
      const packed = new Uint8Array(diffs.reduce((sum, d) => sum + d.byteLength, 0))
      let offset = 0
      for (const d of diffs) {
        packed.set(d, offset)
        offset += d.byteLength
      }
      parentPort.postMessage({ id, state: packed, lengths: diffs.map((d) => d.byteLength), skipped: 0 }, [packed.buffer])
      return
    }
    const result = op === 'mergeStored' ? mergeStored(updates) : { state: Y.mergeUpdates(updates), skipped: 0 }
    const state = owned(result.state)
    parentPort.postMessage({ id, state, skipped: result.skipped }, [state.buffer])
  } catch (err) {
    parentPort.postMessage({ id, error: err instanceof Error ? err.message : String(err) })
  }
})
`

type Op = 'mergeStored' | 'merge' | 'diff'
interface Result {
  state: Uint8Array
  skipped: number
  /** For `diff`: the lengths of the updates packed in `state`. */
  lengths?: number[]
}
type Answer = ({ id: number } & Result) | { id: number; error: string }
interface Pending {
  resolve: (answer: Result) => void
  reject: (error: Error) => void
}

interface YjsWorker {
  worker: Worker
  pending: Map<number, Pending>
}

let current: YjsWorker | undefined
let nextId = 0

function startWorker(): YjsWorker {
  const yjsPath = createRequire(import.meta.url).resolve('yjs')
  // No execArgv: the code is plain JavaScript, so the tsx loader the server
  // runs with would only slow the worker's start.
  const worker = new Worker(WORKER_CODE, { eval: true, workerData: { yjsPath }, execArgv: [] })
  const self: YjsWorker = { worker, pending: new Map() }
  // Idle, the worker must not keep the process alive; it is ref'd only while a caller awaits it.
  worker.unref()

  const fail = (error: Error) => {
    if (current === self) current = undefined
    for (const p of self.pending.values()) p.reject(error)
    self.pending.clear()
  }
  worker.on('message', (answer: Answer) => {
    const p = self.pending.get(answer.id)
    if (!p) return
    self.pending.delete(answer.id)
    if (self.pending.size === 0) worker.unref()
    if ('error' in answer) p.reject(new Error(answer.error))
    else p.resolve(answer)
  })
  worker.on('error', (err) => fail(new Error(`Yjs worker failed: ${err.message}`, { cause: err })))
  worker.on('exit', (code) => fail(new Error(`Yjs worker exited (code ${code})`)))
  return self
}

function request(op: Op, updates: readonly Uint8Array[], stateVector?: Uint8Array): Promise<Result> {
  current ??= startWorker()
  const { worker, pending } = current
  // One copy into a buffer of our own, transferred: the caller keeps its
  // updates, and a small view into a large buffer (a driver's row) does not
  // drag the whole buffer across as structured cloning would.
  const lengths = updates.map((u) => u.byteLength)
  const packed = new Uint8Array(lengths.reduce((sum, n) => sum + n, 0))
  let offset = 0
  for (const update of updates) {
    packed.set(update, offset)
    offset += update.byteLength
  }
  const id = nextId++
  return new Promise((resolve, reject) => {
    if (pending.size === 0) worker.ref()
    pending.set(id, { resolve, reject })
    worker.postMessage({ id, op, buffer: packed.buffer, lengths, stateVector }, [packed.buffer])
  })
}

/**
 * A room's stored updates merged into one snapshot, off the event loop, with
 * the semantics of `applyStoredUpdates`: updates Yjs cannot apply are skipped
 * and counted rather than failing the room.
 */
export async function mergeStoredUpdates(
  updates: readonly Uint8Array[],
): Promise<{ state: Uint8Array; skipped: number }> {
  const { state, skipped } = await request('mergeStored', updates)
  return { state, skipped }
}

/** `Y.mergeUpdates` off the event loop; rejects with Yjs's message if it throws. */
export async function mergeUpdatesOffThread(updates: readonly Uint8Array[]): Promise<Uint8Array> {
  return (await request('merge', updates)).state
}

/**
 * What of each of `updates` a client holding `stateVector` lacks
 * (`Y.diffUpdate`), off the event loop: a room's first-sync answer
 * (sync-server/room.ts), which for a room of megabytes would otherwise hold
 * the loop for tens of milliseconds per client that connects.
 */
export async function diffUpdatesOffThread(
  updates: readonly Uint8Array[],
  stateVector: Uint8Array,
): Promise<Uint8Array[]> {
  const { state, lengths = [] } = await request('diff', updates, stateVector)
  const diffs: Uint8Array[] = []
  let offset = 0
  for (const length of lengths) {
    diffs.push(state.subarray(offset, offset + length))
    offset += length
  }
  return diffs
}

/**
 * Stops the worker (shutdown, tests), rejecting what it still had to answer.
 * The next call starts a new one.
 */
export async function closeYjsWorker(): Promise<void> {
  const closing = current
  current = undefined
  // Its 'exit' event rejects the pending requests.
  await closing?.worker.terminate()
}
