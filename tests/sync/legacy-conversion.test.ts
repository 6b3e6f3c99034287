import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { appendUpdate } from '../../db/room-storage'
import { appendMessage, getChat, getChatMessages, LOCAL_ORIGIN } from '../../shared/doc'
import { chatRoomOf } from '../../shared/rooms'
import { poll } from '../helpers/fixtures'
import { createHarness, type Harness } from '../helpers/harness'
import { roundTrip, storedDoc, teamWithEveryRole, until } from './sync-clients'
import { startSyncNode } from './sync-harness'
import {
  chatsOfLegacyDoc,
  everyKindOfChat,
  legacyRoomState,
  manyChats,
  storedChats,
  writeLegacyChat,
} from './legacy-rooms'
import { useSyncSuite } from './sync-suite'

const suite = useSyncSuite()
afterEach(() => suite.node.server.idle())

describe('converting old-layout index rooms', () => {
  test('every kind of chat, message and status is converted, nothing lost or doubled; a second open changes nothing', async () => {
    const team = await teamWithEveryRole(suite.h)
    const author = team.byRole.member.user!.id
    const chats = everyKindOfChat(Date.now(), author)
    const state = legacyRoomState(chats)
    const before = new Y.Doc()
    Y.applyUpdate(before, state)
    const expected = chatsOfLegacyDoc(before)
    expect(expected.size).toBe(4)
    await appendUpdate(suite.h.db, team.shared, team.ws.id, state)

    const hold = await suite.node.server.openRoom(team.shared, team.ws.id)
    hold.release()
    await suite.node.server.idle()
    const after = await storedChats(suite.h, team.shared)
    expect(after.legacyLeft).toBe(0)
    expect([...after.chats.keys()].sort()).toEqual([...expected.keys()].sort())
    for (const [id, chat] of expected) {
      // Message by message, every field: content, status, usage, timing, model, error, replyTo.
      expect(after.chats.get(id)!.messages).toEqual(chat.messages)
      expect(after.chats.get(id)).toEqual(chat)
    }

    // Opened again, by a node that loads it cold: nothing more is written (the rooms' state vectors stay).
    const rooms = [team.shared, ...[...expected.keys()].map((id) => chatRoomOf(team.shared, id))]
    const vectors = async () =>
      Promise.all(rooms.map(async (r) => Buffer.from(Y.encodeStateVector(await storedDoc(suite.h, r))).toString('hex')))
    const vectorsBefore = await vectors()
    const fresh = await startSyncNode(suite.h)
    try {
      const again = await fresh.server.openRoom(team.shared, team.ws.id)
      again.release()
      await fresh.server.idle()
    } finally {
      await fresh.stop()
    }
    expect(await vectors()).toEqual(vectorsBefore)
    expect((await storedChats(suite.h, team.shared)).chats).toEqual(after.chats)
  })

  test('an old-layout chat written later (a tab of the previous build) is converted too, its messages kept', async () => {
    const team = await teamWithEveryRole(suite.h)
    const oldTab = await suite.join(team.shared, team.byRole.member)
    const author = team.byRole.member.user!.id
    // What the previous build does: a chat with its messages in the room's old layout.
    const [chat] = manyChats(1, 3, author, Date.now())
    writeLegacyChat(oldTab.doc, { ...chat, id: 'late-chat' }, LOCAL_ORIGIN)
    await roundTrip(oldTab)
    await suite.node.server.idle()
    const stored = await storedChats(suite.h, team.shared)
    expect(stored.legacyLeft).toBe(0)
    expect(stored.chats.get('late-chat')?.messages.map((m) => m.content)).toEqual([
      'chat 0, message 0',
      'chat 0, message 1',
      'chat 0, message 2',
    ])
    expect(stored.chats.get('late-chat')?.messageCount).toBe(3)
    // The tab sees the chat in the new layout; a member of the new build writes into its room.
    await until(
      () => getChat(oldTab.doc, 'late-chat'),
      (c) => c?.messageCount === 3,
    )
    const room = await suite.join(chatRoomOf(team.shared, 'late-chat'), team.byRole.admin)
    expect(getChatMessages(room.doc, 'late-chat')?.length).toBe(3)
    appendMessage(room.doc, 'late-chat', { role: 'user', authorId: 'admin', content: 'new layout' })
    await until(
      () => getChat(oldTab.doc, 'late-chat'),
      (c) => c?.messageCount === 4 && c.preview === 'new layout',
    )
  })
})

describe('two nodes opening one old-layout room at once', () => {
  test('one converts (the lock), the other catches up: no message doubled', async () => {
    const team = await teamWithEveryRole(suite.h)
    const chats = manyChats(30, 3, 'author', Date.now())
    await appendUpdate(suite.h.db, team.shared, team.ws.id, legacyRoomState(chats))
    const other = await startSyncNode(suite.h)
    try {
      const holds = await Promise.all([suite.node, other].map((n) => n.server.openRoom(team.shared, team.ws.id)))
      for (const hold of holds) hold.release()
      await poll(
        async () => (await storedChats(suite.h, team.shared)).legacyLeft,
        (left) => left === 0,
        30_000,
      )
      await Promise.all([suite.node.server.idle(), other.server.idle()])
    } finally {
      await other.stop()
    }
    const after = await storedChats(suite.h, team.shared)
    expect(after.chats.size).toBe(30)
    for (const chat of chats) {
      expect(after.chats.get(chat.id)?.messages.map((m) => m.id)).toEqual(chat.messages.map((m) => m.id))
    }
  }, 60_000)
})

describe('a conversion killed with SIGKILL mid-way', () => {
  // Two processes share the database, so this needs PostgreSQL (see durability.test.ts).
  let pg: Harness
  beforeAll(async () => {
    const saved = process.env.DATABASE_URL
    process.env.DATABASE_URL = saved ?? 'postgres://postgres@127.0.0.1:5432/postgres'
    try {
      pg = await createHarness()
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL
    }
  })
  afterAll(() => pg?.close())

  function convertInChild(room: string, workspaceId: string) {
    const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/sync/convert-process.ts', room, workspaceId], {
      cwd: process.cwd(),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        DATABASE_URL: pg.database.url,
        BETTER_AUTH_SECRET: pg.env.BETTER_AUTH_SECRET,
        BETTER_AUTH_URL: pg.env.BETTER_AUTH_URL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    // Listened for from the start: a child that prints `done` exits at once, often before a poll sees the line.
    const exited = once(proc, 'exit')
    let stderr = ''
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    const lines: Record<string, unknown>[] = []
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>)
      } catch {
        /* not ours */
      }
    })
    const converted = () => lines.filter((l) => l.msg === 'converted an old-layout chat').length
    const done = () => lines.some((l) => l.done === true)
    return { proc, exited, converted, done, stderr: () => stderr }
  }

  test('run again, it ends where a clean conversion ends', async () => {
    const now = Date.now()
    const killed = await teamWithEveryRole(pg)
    const clean = await teamWithEveryRole(pg)
    const author = 'author-of-all'
    const chats = manyChats(150, 4, author, now)
    for (const team of [killed, clean]) await appendUpdate(pg.db, team.shared, team.ws.id, legacyRoomState(chats))

    const first = convertInChild(killed.shared, killed.ws.id)
    await until(first.converted, (n) => n >= 20, 60_000)
    first.proc.kill('SIGKILL')
    await first.exited
    expect(first.proc.signalCode).toBe('SIGKILL')
    const partial = await storedChats(pg, killed.shared)
    // Killed mid-way: some chats converted, some still in the old layout.
    expect(partial.legacyLeft).toBeGreaterThan(0)
    expect(partial.legacyLeft).toBeLessThan(150)

    const second = convertInChild(killed.shared, killed.ws.id)
    await until(second.done, (d) => d, 120_000)
    await second.exited

    const node = await startSyncNode(pg)
    try {
      const hold = await node.server.openRoom(clean.shared, clean.ws.id)
      hold.release()
      await node.server.idle()
    } finally {
      await node.stop()
    }
    const [afterKill, afterClean] = [await storedChats(pg, killed.shared), await storedChats(pg, clean.shared)]
    expect(afterKill.legacyLeft).toBe(0)
    expect(afterClean.legacyLeft).toBe(0)
    expect(afterKill.chats.size).toBe(150)
    for (const [id, chat] of afterClean.chats) {
      expect(afterKill.chats.get(id)?.messages).toEqual(chat.messages)
      expect(afterKill.chats.get(id)).toEqual(chat)
    }
  }, 240_000)
})
