import { asc, sql } from 'drizzle-orm'
import type { PgTable } from 'drizzle-orm/pg-core'
import * as Y from 'yjs'
import type { Db } from '../../db/client'
import { loadRoom } from '../../db/room-storage'
import { account, invitation, member, roomSnapshot, roomUpdate, usageEvent, user, workspace } from '../../db/schema'
import { type ChatRecord, type SidekiqRecord, chatRecords, sidekiqRecords } from '../../shared/doc'
import { chatRoomOf, isChatRoom, parseRoomName } from '../../shared/rooms'

/** A room's document as stored (snapshot plus log), read without a sync server. */
export async function storedRoom(db: Db, room: string): Promise<Y.Doc> {
  const doc = new Y.Doc()
  for (const update of (await loadRoom(db, room)).updates) Y.applyUpdate(doc, update)
  return doc
}

export interface RoomContent {
  /** The chats the index room lists, each with the messages of its own room. */
  chats: ChatRecord[]
  sidekiqs: SidekiqRecord[]
}

/** Names of every stored room. */
async function storedRoomNames(db: Db): Promise<string[]> {
  const names = new Set([
    ...(await db.selectDistinct({ room: roomUpdate.room }).from(roomUpdate)).map((r) => r.room),
    ...(await db.select({ room: roomSnapshot.room }).from(roomSnapshot)).map((r) => r.room),
  ])
  return [...names].sort()
}

/**
 * Every stored index room by name, its chats read with their rooms
 * (decision 021). A chat room whose chat no index lists (a run killed
 * between a chat's messages and its entry) is listed as `orphans`, so a
 * picture with one never equals a clean one.
 */
export async function roomContents(db: Db): Promise<Map<string, RoomContent> & { orphans?: string[] }> {
  const names = await storedRoomNames(db)
  const chatRooms = new Map<string, Y.Doc>()
  for (const name of names) {
    const parsed = parseRoomName(name)
    if (parsed && isChatRoom(parsed)) chatRooms.set(name, await storedRoom(db, name))
  }
  const listed = new Set<string>()
  const out: Map<string, RoomContent> & { orphans?: string[] } = new Map()
  for (const name of names) {
    const parsed = parseRoomName(name)
    if (!parsed || isChatRoom(parsed)) continue
    const doc = await storedRoom(db, name)
    const roomOf = (chatId: string) => {
      const room = chatRoomOf(name, chatId)
      listed.add(room)
      return chatRooms.get(room) ?? null
    }
    out.set(name, { chats: chatRecords(doc, roomOf), sidekiqs: sidekiqRecords(doc) })
    doc.destroy()
  }
  const orphans = [...chatRooms.keys()].filter((room) => !listed.has(room))
  if (orphans.length) out.orphans = orphans
  for (const doc of chatRooms.values()) doc.destroy()
  return out
}

/** Rows per table the import writes. */
export async function rowCounts(db: Db) {
  const count = async (table: PgTable) => (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0].n
  return {
    user: await count(user),
    account: await count(account),
    workspace: await count(workspace),
    member: await count(member),
    invitation: await count(invitation),
    usageEvent: await count(usageEvent),
    roomUpdate: await count(roomUpdate),
    roomSnapshot: await count(roomSnapshot),
    // Every update ever stored, compacted or not: compaction would hide a stored change from the row count alone.
    storedUpdates:
      (await count(roomUpdate)) +
      (await db.select({ n: sql<number>`coalesce(sum(${roomSnapshot.updateCount}), 0)::int` }).from(roomSnapshot))[0].n,
  }
}

/**
 * The whole target, normalized so two imports into different databases
 * compare equal: personal workspaces (random ids and slugs, made "now") are
 * named by their owner, and rooms by that name too.
 */
export async function targetPicture(db: Db) {
  const workspaces = await db.select().from(workspace).orderBy(asc(workspace.id))
  const key = new Map(workspaces.map((w) => [w.id, w.isPersonal ? `personal:${w.ownerId}` : w.id]))
  const wsKey = (id: string) => key.get(id) ?? `unknown:${id}`
  const members = await db.select().from(member)
  const rooms = await roomContents(db)
  const sortBy = <T>(items: T[], f: (t: T) => string) => [...items].sort((a, b) => (f(a) < f(b) ? -1 : 1))
  return {
    users: await db
      .select({
        id: user.id,
        name: user.name,
        email: user.email,
        verified: user.emailVerified,
        createdAt: user.createdAt,
      })
      .from(user)
      .orderBy(asc(user.id)),
    accounts: await db
      .select({ id: account.id, userId: account.userId, accountId: account.accountId, password: account.password })
      .from(account)
      .orderBy(asc(account.id)),
    workspaces: sortBy(
      workspaces.map((w) => ({
        key: wsKey(w.id),
        name: w.name,
        slug: w.isPersonal ? null : w.slug,
        ownerId: w.ownerId,
        plan: w.plan,
        metadata: w.metadata,
        createdAt: w.isPersonal ? null : w.createdAt.getTime(),
      })),
      (w) => w.key,
    ),
    members: sortBy(
      members.map((m) => {
        const personal = wsKey(m.workspaceId).startsWith('personal:')
        return {
          workspace: wsKey(m.workspaceId),
          userId: m.userId,
          role: m.role,
          defaultModel: m.defaultModel,
          id: personal ? null : m.id,
          createdAt: personal ? null : m.createdAt.getTime(),
        }
      }),
      (m) => `${m.workspace} ${m.userId}`,
    ),
    invitations: sortBy(
      (await db.select().from(invitation)).map((i) => ({
        ...i,
        workspaceId: wsKey(i.workspaceId),
        expiresAt: i.expiresAt.getTime(),
        createdAt: i.createdAt.getTime(),
      })),
      (i) => i.id,
    ),
    usage: sortBy(
      (await db.select().from(usageEvent)).map(({ createdAt: _c, ...e }) => ({
        ...e,
        workspaceId: wsKey(e.workspaceId),
        startedAt: e.startedAt.getTime(),
        endedAt: e.endedAt.getTime(),
      })),
      (e) => e.id,
    ),
    rooms: sortBy(
      [...rooms].map(([name, content]) => {
        const parsed = parseRoomName(name)!
        const room =
          parsed.kind === 'private' ? `${wsKey(parsed.workspaceId)}/u/${parsed.userId}` : wsKey(parsed.workspaceId)
        return { room, ...content }
      }),
      (r) => r.room,
    ),
    orphanChatRooms: rooms.orphans ?? [],
  }
}
