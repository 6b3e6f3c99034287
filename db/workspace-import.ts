import { randomBytes, randomUUID } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { roomStatesFromRecords, serverOrigin, type RoomStates } from '../shared/doc'
import { AppError } from '../shared/errors'
import { type AssignableRole, roleRank } from '../shared/roles'
import { chatRoomOf, privateRoom, sharedRoom } from '../shared/rooms'
import { MAX_WORKSPACE_FILE_BYTES, parseWorkspaceFile } from '../shared/schemas/workspace-export'
import { slugify, workspaceSlug } from '../shared/schemas/workspace'
import type { Db } from './client'
import { assertInvitationCapacity, insertInvitation, type InvitationMailEnv, sendInvitationEmail } from './invitations'
import { member, roomUpdate, user, workspace } from './schema'

const IMPORT_ORIGIN = serverOrigin('workspace-import')

export interface ImportedWorkspace {
  workspace: { id: string; slug: string; name: string }
  /** Invitations sent, one per listed member other than the importer. */
  invited: { email: string; role: AssignableRole }[]
  /** Listed members the plan had no room to invite, with the reason. */
  notInvited: { email: string; role: AssignableRole; reason: string }[]
}

/**
 * Creates a new workspace from a workspace file (decision 020), owned by
 * the importer, on the free plan: its settings, its sidekiqs and the shared
 * chats' index in the shared room, the file's private chats listed in the
 * importer's own private room, each chat's messages in its own room
 * (decision 021), ids and authors kept. Nobody joins without consent: every
 * other listed member gets an invitation with their role (an owner's
 * becomes admin, as there is one owner), as far as the plan's
 * pending-invitation limit goes; the rest are reported, not dropped
 * silently. Sidekiqs past the plan's limit are kept: they are content.
 *
 * The rooms are new, so their first states are stored in the same
 * transaction as the workspace row: nobody can open them before the commit
 * (a room needs a membership), and a failure leaves nothing behind.
 */
export async function importWorkspace(
  db: Db,
  env: InvitationMailEnv,
  userId: string,
  input: unknown,
): Promise<ImportedWorkspace> {
  const file = parseWorkspaceFile(input)
  const [importer] = await db.select({ email: user.email, name: user.name }).from(user).where(eq(user.id, userId))
  if (!importer) throw new AppError('UNAUTHORIZED', 'Sign in first')
  const shared = roomStatesFromRecords({ sidekiqs: file.sidekiqs, chats: file.sharedChats }, IMPORT_ORIGIN)
  const own = roomStatesFromRecords({ chats: file.privateChats }, IMPORT_ORIGIN)
  assertRoomsFit(shared, 'sharedChats')
  assertRoomsFit(own, 'privateChats')
  const me = importer.email.toLowerCase()
  // Most privileged first: when the plan stops the invitations, admins are already in.
  const invitees = file.members
    .filter((m) => m.email !== me)
    .map((m) => ({ email: m.email, role: (m.role === 'owner' ? 'admin' : m.role) as AssignableRole }))
    .sort((a, b) => roleRank(a.role) - roleRank(b.role))

  const result = await db.transaction(async (tx) => {
    const ws = await insertWorkspace(tx, {
      name: file.workspace.name,
      defaultModel: file.workspace.defaultModel,
      ownerId: userId,
    })
    await tx.insert(member).values({ id: randomUUID(), workspaceId: ws.id, userId, role: 'owner' })
    await storeFirstStates(tx, ws.id, [
      ...roomRows(sharedRoom(ws.id), shared),
      ...roomRows(privateRoom(ws.id, userId), own),
    ])
    const invited: (ImportedWorkspace['invited'][number] & { id: string })[] = []
    const notInvited: ImportedWorkspace['notInvited'] = []
    for (const [i, person] of invitees.entries()) {
      try {
        await assertInvitationCapacity(tx, ws.id, ws.plan)
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'LIMIT_REACHED') throw error
        // Capacity only shrinks as invitations are added: nobody after this one fits either.
        notInvited.push(...invitees.slice(i).map((p) => ({ ...p, reason: error.message })))
        break
      }
      const row = await insertInvitation(tx, { workspaceId: ws.id, ...person, inviterId: userId })
      invited.push({ id: row.id, ...person })
    }
    return { ws, invited, notInvited }
  })

  // After the commit: an email must never announce an invitation that was rolled back.
  for (const inv of result.invited) {
    await sendInvitationEmail(db, env, {
      ...inv,
      workspaceId: result.ws.id,
      workspaceName: result.ws.name,
      inviterName: importer.name,
    })
  }
  return {
    workspace: { id: result.ws.id, slug: result.ws.slug, name: result.ws.name },
    invited: result.invited.map(({ email, role }) => ({ email, role })),
    notInvited: result.notInvited,
  }
}

/**
 * Inserts the workspace under a free slug made from its name, as a person
 * would pick it on the create page: the name's slug, or with a random
 * suffix when taken (by a row committed or in flight: the insert waits).
 */
async function insertWorkspace(db: Db, values: { name: string; defaultModel: string | null; ownerId: string }) {
  const named = slugify(values.name)
  // A reserved slug ("new", "personal-…") is moved out of the way rather than refused.
  const base = workspaceSlug.safeParse(named).success ? named : slugify(`ws ${named}`)
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`
    const [row] = await db
      .insert(workspace)
      .values({ id: randomUUID(), ...values, slug, isPersonal: false, plan: 'free' })
      .onConflictDoNothing({ target: workspace.slug })
      .returning()
    if (row) return row
  }
  throw new AppError('CONFLICT', 'No free address for the workspace was found; try again')
}

/**
 * A room holds at most what a file may weigh (the sync server's document
 * limit): one bigger could be created but never edited. The file's size
 * bounds the index rooms; one chat can still be the whole file.
 */
function assertRoomsFit(states: RoomStates, field: 'sharedChats' | 'privateChats') {
  const rooms = [states.index, ...states.chats.map((c) => c.state)]
  if (rooms.some((state) => state.byteLength > MAX_WORKSPACE_FILE_BYTES))
    throw new AppError('BAD_REQUEST', 'Too much content for one room', { [field]: 'Too large for one room' })
}

/** The first update of an index room and of each of its chats' rooms. */
function roomRows(indexRoom: string, states: RoomStates): { room: string; update: Uint8Array }[] {
  return [
    { room: indexRoom, update: states.index },
    ...states.chats.map((c) => ({ room: chatRoomOf(indexRoom, c.chatId), update: c.state })),
  ]
}

/** Rows per INSERT, and bytes: a workspace of thousands of chats is a few statements, none huge. */
const ROWS_PER_INSERT = 500
const BYTES_PER_INSERT = 8 * 1024 * 1024

/** Appends each new room's first update to the room log, in a few multi-row statements. */
async function storeFirstStates(db: Db, workspaceId: string, rows: { room: string; update: Uint8Array }[]) {
  let batch: typeof rows = []
  let bytes = 0
  const flush = async () => {
    if (batch.length) await db.insert(roomUpdate).values(batch.map((r) => ({ ...r, workspaceId })))
    batch = []
    bytes = 0
  }
  for (const row of rows) {
    if (batch.length >= ROWS_PER_INSERT || (batch.length && bytes + row.update.byteLength > BYTES_PER_INSERT))
      await flush()
    batch.push(row)
    bytes += row.update.byteLength
  }
  await flush()
}
