/**
 * `npm run bench -- scale` (issue 16): a workspace of 5,000 chats and
 * 100,000 messages (200-800 characters) in the layout of decision 021,
 * written straight into a fresh PostgreSQL database, then measured against
 * the sync server in a process of its own (scale-server.ts):
 *
 * - opening the workspace room cold (load + first sync answer, as a client
 *   times it) and the V8 heap it holds; the member's private room; a chat
 *   room of 20 messages;
 * - the longest event-loop block of the server while rooms open (one by one,
 *   then 100 at once), while the workspace room compacts (500 client
 *   updates), and while an answer streams into a chat room (and that room
 *   compacts when it is released);
 * - what a first visit downloads before the sidebar and one chat show, and
 *   the index's bytes per chat;
 * - then the workspace grows to 250,000 messages (more chats) and a stock
 *   client creates a chat and writes into it and into an old chat: stored or
 *   not, and the workspace room's size then.
 *
 * The browser figures follow (scale-browser.ts). Prints figures; asserts
 * nothing.
 */
import { eq } from 'drizzle-orm'
import { availableParallelism, loadavg } from 'node:os'
import * as Y from 'yjs'
import { appendMessage, createChat, getChatMessages, listChats, openChatRoom, setPinned } from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { createDatabase, type Db } from '../../db/client'
import { loadRoom } from '../../db/room-storage'
import { docFromUpdates } from '../../shared/doc/stored-updates'
import { member, roomSnapshot } from '../../db/schema'
import { connectProvider, openRoom, startScaleServer, type Opened, type ScaleServer } from './scale-clients'
import { runScaleBrowserBench } from './scale-browser'
import { ScaleWorkspace, MESSAGES_PER_CHAT } from './scale-seed'
import { createBenchDatabase } from './servers'
import { mb, ms, percentile } from './stats'

// Other sizes only to try the bench out quickly; the figures are for the defaults.
const CHATS = Number(process.env.BENCH_SCALE_CHATS ?? 5_000)
const GROWN_CHATS = Math.round(CHATS * 2.5)
const WORKSPACE_OPENS = Number(process.env.BENCH_SCALE_OPENS ?? 5)
const CHAT_OPENS = 20
const AT_ONCE = 100
const COMPACT_UPDATES = 520
const ANSWER_CHARS = 3_000
const GOALS = { openWorkspace: 50, workspaceHeap: 10 * 1024 * 1024, openChat: 20, loop: 20, firstVisit: 3 * 1024 ** 2 }

const pause = (millis: number) => new Promise((r) => setTimeout(r, millis))

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await pause(50)
  }
}

/** Waits until the server no longer holds `room` in memory, so the next open is cold. */
const released = (server: ScaleServer, room: string) =>
  until(server.rooms, (rooms) => !rooms.includes(room), `${room} to be released`)

interface ColdOpen extends Opened {
  heapDelta: number
}

/** Opens `room` cold: its heap is measured (after full collections) before and while it is held. */
async function openCold(server: ScaleServer, room: string, token: string): Promise<ColdOpen> {
  await released(server, room)
  const before = await server.heap()
  const opened = await openRoom(server.base, room, token)
  const held = await server.heap()
  return { ...opened, heapDelta: held.heapUsed - before.heapUsed }
}

async function storedDoc(db: Db, room: string) {
  return docFromUpdates((await loadRoom(db, room)).updates)
}

interface Row {
  metric: string
  value: string
  goal?: string
}

function printTable(title: string, rows: Row[]) {
  console.log(`\n${title}`)
  console.log(`  ${'figure'.padEnd(92)}${'measured'.padStart(26)}${'goal'.padStart(10)}`)
  for (const r of rows) console.log(`  ${r.metric.padEnd(92)}${r.value.padStart(26)}${(r.goal ?? '').padStart(10)}`)
}

const p50 = (v: number[]) => percentile(v, 50)
const spread = (v: number[]) => `${ms(p50(v))} (max ${Math.max(...v).toFixed(1)})`

export async function runScaleBench() {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres'
  const loadAtStart = loadavg()[0]
  const database = await createBenchDatabase(1)
  const storage = createDatabase(database.url)
  let server: ScaleServer | undefined
  try {
    const workspaceId = database.workspaceIds[0]
    const [{ userId }] = await storage.db
      .select({ userId: member.userId })
      .from(member)
      .where(eq(member.workspaceId, workspaceId))
    const w = new ScaleWorkspace(workspaceId, userId, 16)
    let started = performance.now()
    await w.addChats(storage.db, CHATS, GROWN_CHATS)
    await w.storeIndexes(storage.db)
    const seedMs = performance.now() - started
    const sharedChats = w.chats.filter((c) => c.shared)
    const sharedBytes = w.indexBytes('shared')
    const privateBytes = w.indexBytes('mine')

    server = await startScaleServer(database)
    const token = database.token
    // Not counted: the first connection warms the code paths, the database pool and the session lookup.
    ;(await openRoom(server.base, sharedChats[0].room, token)).close()

    // Rooms opened one by one, cold each time.
    await server.resetLoop()
    await server.resetGc()
    const workspaceOpens: ColdOpen[] = []
    for (let i = 0; i < WORKSPACE_OPENS; i++) {
      const opened = await openCold(server, w.sharedRoom, token)
      opened.close()
      workspaceOpens.push(opened)
    }
    const loopOpenWorkspace = await server.loopMax()
    await server.resetLoop()
    const privateOpens: ColdOpen[] = []
    for (let i = 0; i < WORKSPACE_OPENS; i++) {
      const opened = await openCold(server, w.privateRoom, token)
      opened.close()
      privateOpens.push(opened)
    }
    const loopOpenPrivate = await server.loopMax()
    await server.resetLoop()
    const chatOpens: Opened[] = []
    for (const chat of sharedChats.slice(-CHAT_OPENS - 1, -1)) {
      const opened = await openRoom(server.base, chat.room, token)
      opened.close()
      chatOpens.push(opened)
    }
    const loopOpenChats = await server.loopMax()

    // Many rooms at once: members arriving together, each opening a chat.
    await server.resetLoop()
    const burst = await Promise.all(
      sharedChats.slice(1000, 1000 + AT_ONCE).map((c) => openRoom(server!.base, c.room, token)),
    )
    const loopBurst = await server.loopMax()
    for (const b of burst) b.close()

    // The workspace room compacts: COMPACT_UPDATES client updates pass the server's compaction threshold (500).
    const writer = connectProvider(server.base, w.sharedRoom, token)
    await writer.synced
    await server.resetLoop()
    for (let i = 0; i < COMPACT_UPDATES; i++) {
      setPinned(writer.doc, sharedChats[i % 50].id, i % 2 === 0)
      await pause(6) // under the server's rate limit (200 messages a second)
    }
    const snapshot = () =>
      storage.db
        .select({ count: roomSnapshot.updateCount })
        .from(roomSnapshot)
        .where(eq(roomSnapshot.room, w.sharedRoom))
    await until(snapshot, ([row]) => (row?.count ?? 0) >= 500, 'the workspace room to compact')
    const loopCompact = await server.loopMax()

    // An answer streams into a chat room (watched there and in the workspace room), which compacts on release.
    const answered = sharedChats.at(-2)!
    const watcher = await openRoom(server.base, answered.room, token)
    await server.resetLoop()
    started = performance.now()
    await server.stream(answered.room, answered.id, answered.lastQuestionId, ANSWER_CHARS)
    const streamMs = performance.now() - started
    const loopStream = await server.loopMax()
    watcher.close()
    await released(server, answered.room)
    const loopStreamAndCompact = await server.loopMax()
    const gcPauseMax = await server.gcMax()
    writer.destroy()

    const firstVisit = workspaceOpens[0].bytes + privateOpens[0].bytes + chatOpens[0].bytes
    const loopAll = Math.max(
      loopOpenWorkspace,
      loopOpenPrivate,
      loopOpenChats,
      loopBurst,
      loopCompact,
      loopStreamAndCompact,
    )
    printTable(
      `scale, server (sync node on PostgreSQL; a workspace of ${CHATS.toLocaleString('en')} chats ` +
        `(${sharedChats.length.toLocaleString('en')} shared, ${(CHATS - sharedChats.length).toLocaleString('en')} private), ` +
        `${w.messages.toLocaleString('en')} messages of 200-800 characters; built and stored in ${ms(seedMs)}; ` +
        `load average ${loadAtStart.toFixed(1)} at the start, on ${availableParallelism()} cores)`,
      [
        {
          metric: `open the workspace room cold (${sharedChats.length} chats), load + first sync answer, p50 of ${WORKSPACE_OPENS}`,
          value: spread(workspaceOpens.map((o) => o.ms)),
          goal: ms(GOALS.openWorkspace),
        },
        {
          metric: 'heap the workspace room holds (after full GC), p50',
          value: mb(p50(workspaceOpens.map((o) => o.heapDelta))),
          goal: mb(GOALS.workspaceHeap),
        },
        {
          metric: `open the private room cold (${CHATS - sharedChats.length} chats), p50 of ${WORKSPACE_OPENS}`,
          value: spread(privateOpens.map((o) => o.ms)),
        },
        {
          metric: `open a chat room of ${MESSAGES_PER_CHAT} messages cold, p50 of ${CHAT_OPENS}`,
          value: spread(chatOpens.map((o) => o.ms)),
          goal: ms(GOALS.openChat),
        },
        { metric: 'longest event-loop block: the workspace room opening', value: ms(loopOpenWorkspace) },
        { metric: 'longest event-loop block: the private room opening', value: ms(loopOpenPrivate) },
        { metric: 'longest event-loop block: chat rooms opening one by one', value: ms(loopOpenChats) },
        { metric: `longest event-loop block: ${AT_ONCE} chat rooms opened at once`, value: ms(loopBurst) },
        {
          metric: `longest event-loop block: the workspace room compacting (${COMPACT_UPDATES} updates)`,
          value: ms(loopCompact),
        },
        {
          metric: `longest event-loop block: an answer streaming (${ANSWER_CHARS} chars, ${(streamMs / 1000).toFixed(1)} s)`,
          value: ms(loopStream),
        },
        { metric: '  ... and its chat room compacting on release', value: ms(loopStreamAndCompact) },
        { metric: 'longest event-loop block, all of the above', value: ms(loopAll), goal: ms(GOALS.loop) },
        { metric: "  longest pause of V8's garbage collector meanwhile", value: ms(gcPauseMax) },
        {
          metric: 'first visit: bytes before the sidebar and one chat show (3 rooms)',
          value: mb(firstVisit),
          goal: mb(GOALS.firstVisit),
        },
        {
          metric: '  workspace room / private room / chat room',
          value: `${mb(workspaceOpens[0].bytes)} / ${(privateOpens[0].bytes / 1024).toFixed(0)} KB / ${(chatOpens[0].bytes / 1024).toFixed(1)} KB`,
        },
        {
          metric: 'index bytes per chat (Y.encodeStateAsUpdate of the index room / its chats)',
          value: `${(sharedBytes / sharedChats.length).toFixed(0)} B (private ${(privateBytes / (CHATS - sharedChats.length)).toFixed(0)} B)`,
        },
      ],
    )

    // Grown to 250,000 messages: the server stopped while storage changes under it.
    await server.stop()
    server = undefined
    started = performance.now()
    await w.addChats(storage.db, GROWN_CHATS - CHATS, GROWN_CHATS)
    await w.storeIndexes(storage.db)
    const growMs = performance.now() - started
    server = await startScaleServer(database)
    ;(await openRoom(server.base, w.chats[0].room, token)).close()
    await server.resetLoop()
    const grownOpens: ColdOpen[] = []
    for (let i = 0; i < 3; i++) {
      const opened = await openCold(server, w.sharedRoom, token)
      opened.close()
      grownOpens.push(opened)
    }
    const loopGrownOpen = await server.loopMax()

    // A stock client writes: a new chat in the index, a message in it, and a message in an old chat.
    await server.resetLoop()
    started = performance.now()
    const index = connectProvider(server.base, w.sharedRoom, token)
    await index.synced
    const fresh = createChat(index.doc, { title: 'Written at 250,000 messages', createdBy: userId })
    const freshRoom = connectProvider(server.base, chatRoomOf(w.sharedRoom, fresh.id), token)
    await freshRoom.synced
    openChatRoom(freshRoom.doc, fresh.id)
    appendMessage(freshRoom.doc, fresh.id, { role: 'user', authorId: userId, content: 'Still accepting writes?' })
    const old = w.chats.filter((c) => c.shared)[10]
    const oldRoom = connectProvider(server.base, old.room, token)
    await oldRoom.synced
    appendMessage(oldRoom.doc, old.id, { role: 'user', authorId: userId, content: 'A late follow-up.' })
    let stored = true
    try {
      await until(
        async () => {
          const [i, f, o] = await Promise.all([
            storedDoc(storage.db, w.sharedRoom),
            storedDoc(storage.db, freshRoom.provider.roomname),
            storedDoc(storage.db, old.room),
          ])
          const ok =
            listChats(i).some((c) => c.id === fresh.id) &&
            (getChatMessages(f, fresh.id)?.length ?? 0) === 1 &&
            (getChatMessages(o, old.id)?.length ?? 0) === MESSAGES_PER_CHAT + 1
          for (const d of [i, f, o]) d.destroy()
          return ok
        },
        (ok) => ok,
        'the writes at 250,000 messages to be stored',
        30_000,
      )
    } catch {
      stored = false
    }
    const writeMs = performance.now() - started
    const loopWrite = await server.loopMax()
    const closed = [index, freshRoom, oldRoom].flatMap((p) => (p.provider.wsconnected ? [] : [p.provider.roomname]))
    for (const p of [index, freshRoom, oldRoom]) p.destroy()
    const grownIndex = await storedDoc(storage.db, w.sharedRoom)
    const grownBytes = Y.encodeStateAsUpdate(grownIndex).byteLength
    const grownShared = listChats(grownIndex).length
    grownIndex.destroy()

    printTable(
      `scale, grown (${w.chats.length.toLocaleString('en')} chats, ${w.messages.toLocaleString('en')} messages; ` +
        `grown in ${ms(growMs)}; load average ${loadavg()[0].toFixed(1)})`,
      [
        {
          metric: `a stock client creates a chat, writes in it and in an old chat: all stored`,
          value: stored ? `yes, ${ms(writeMs)}` : 'NO',
          goal: 'yes',
        },
        { metric: '  connections closed by the server meanwhile', value: closed.length ? closed.join(', ') : 'none' },
        {
          metric: `workspace room size then (${grownShared.toLocaleString('en')} chats listed)`,
          value: mb(grownBytes),
        },
        {
          metric: `open the workspace room cold, p50 of ${grownOpens.length}`,
          value: spread(grownOpens.map((o) => o.ms)),
        },
        { metric: 'heap the workspace room holds, p50', value: mb(p50(grownOpens.map((o) => o.heapDelta))) },
        {
          metric: 'longest event-loop block: opening, then the writes',
          value: `${ms(loopGrownOpen)}, ${ms(loopWrite)}`,
        },
      ],
    )
    await server.stop()
    server = undefined
    w.destroy()
    if (!process.env.BENCH_SCALE_SKIP_BROWSER) await runScaleBrowserBench()
  } finally {
    await server?.stop()
    await storage.close()
    await database.drop()
  }
}
