import { describe, expect, test } from 'vitest'
import { countSidekiqs, createSidekiq, getSidekiq, listSidekiqs, sidekiqToRecord } from '../shared/doc'
import { PLANS } from '../shared/plans'
import { sharedRoom } from '../shared/rooms'
import type { SidekiqFile } from '../shared/schemas/workspace-export'
import { addMember, createWorkspace, errorOf } from './helpers/fixtures'
import { signUp, type TestClient } from './helpers/harness'
import { roundTrip, storedDoc, teamWithEveryRole, until, type Team } from './sync/sync-clients'
import { useSyncSuite } from './sync/sync-suite'

/**
 * One sidekiq as a file (decision 020): exported by anyone who reads the
 * workspace, imported as a new sidekiq by whoever may write, through the
 * sync server's live room so connected members see it at once.
 */

const suite = useSyncSuite()
const { join } = suite

/** A team with the owner's favourite sidekiq "Writer", held by the server. */
async function teamWithWriter(): Promise<{ team: Team; sidekiqId: string }> {
  const team = await teamWithEveryRole(suite.h)
  const owner = await join(team.shared, team.byRole.owner)
  const writer = createSidekiq(owner.doc, {
    name: 'Writer',
    description: 'Tightens prose',
    instructions: 'Answer in plain English.\nKeep it short.',
    conversationStarters: ['Shorten this', 'Fix my grammar'],
    model: 'openai:gpt-4o-mini',
    avatar: { kind: 'initials', value: 'WR', color: '#d97706' },
    favorite: true,
    createdBy: team.byRole.owner.user!.id,
    createdAt: Date.UTC(2026, 0, 2),
  })
  await roundTrip(owner)
  return { team, sidekiqId: writer.id }
}

const exportPath = (workspaceId: string, sidekiqId: string) =>
  `/api/workspaces/${workspaceId}/sidekiqs/${sidekiqId}/export`
const importInto = (client: TestClient, workspaceId: string, file: unknown) =>
  client.post(`/api/workspaces/${workspaceId}/sidekiqs/import`, file)

/** What a copy keeps of the original: everything but who made it, when, its id and the favourite flag. */
const content = ({
  id: _id,
  createdBy: _by,
  createdAt: _at,
  updatedAt: _up,
  favorite: _fav,
  ...rest
}: SidekiqFile['sidekiq']) => rest

describe('exporting a sidekiq', () => {
  test('any member who reads the workspace downloads it as a file, viewers included', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const stored = sidekiqToRecord(await storedDoc(suite.h, team.shared), sidekiqId)!
    const res = await suite.h.fetchApi(exportPath(team.ws.id, sidekiqId), {
      headers: { cookie: team.byRole.viewer.cookie },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="Writer-${new Date().toISOString().slice(0, 10)}.sidekiq.json"`,
    )
    const file = (await res.json()) as SidekiqFile
    expect(file).toEqual({ format: 'workspaces.sidekiq', version: 1, exportedAt: expect.any(String), sidekiq: stored })
    expect(file.sidekiq).toMatchObject({ name: 'Writer', favorite: true, instructions: stored.instructions })
  })

  test('another workspace’s sidekiq, an unknown one, and a stranger all get 404', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const elsewhere = await createWorkspace(team.byRole.owner)
    expect((await team.byRole.owner.get(exportPath(elsewhere.id, sidekiqId))).status).toBe(404)
    expect((await team.byRole.owner.get(exportPath(team.ws.id, 'no-such-sidekiq'))).status).toBe(404)
    const stranger = await signUp(suite.h, 'Stranger')
    const res = await stranger.get(exportPath(team.ws.id, sidekiqId))
    expect(res.status).toBe(404)
    expect(errorOf(res).message).toBe('Workspace not found')
    expect((await team.byRole.owner.get(exportPath(team.ws.id, 'bad id!'))).status).toBe(400)
  })
})

describe('importing a sidekiq', () => {
  test('into another workspace: an equal sidekiq, the importer’s, seen live by a connected member', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const { owner } = team.byRole
    const file = (await owner.get(exportPath(team.ws.id, sidekiqId))).body as SidekiqFile
    const other = await createWorkspace(owner)
    const colleague = await signUp(suite.h, 'Colleague')
    await addMember(suite.h, other.id, colleague.user!.id, 'member')
    const watcher = await join(sharedRoom(other.id), colleague)
    expect(listSidekiqs(watcher.doc)).toEqual([])

    const started = Date.now()
    const res = await importInto(owner, other.id, file)
    expect(res.status).toBe(201)
    const imported = res.body.sidekiq as SidekiqFile['sidekiq']
    expect(content(imported)).toEqual(content(file.sidekiq))
    expect(imported.id).not.toBe(sidekiqId)
    expect(imported).toMatchObject({ createdBy: owner.user!.id, favorite: false })
    expect(imported.createdAt).toBeGreaterThanOrEqual(started)
    expect(imported.updatedAt).toBe(imported.createdAt)

    // Live at the colleague's provider, and stored as the server holds it.
    await until(
      () => getSidekiq(watcher.doc, imported.id),
      (s) => s !== null,
    )
    expect(sidekiqToRecord(watcher.doc, imported.id)).toEqual(imported)
    expect(sidekiqToRecord(await storedDoc(suite.h, sharedRoom(other.id)), imported.id)).toEqual(imported)
  })

  test('into its own workspace: a copy named "(2)", the original untouched', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const { member } = team.byRole
    const file = (await member.get(exportPath(team.ws.id, sidekiqId))).body as SidekiqFile
    const first = await importInto(member, team.ws.id, file)
    const second = await importInto(member, team.ws.id, { ...file, sidekiq: { ...file.sidekiq, name: 'WRITER' } })
    expect([first.status, second.status]).toEqual([201, 201])
    expect(first.body.sidekiq).toMatchObject({ name: 'Writer (2)', createdBy: member.user!.id })
    expect(second.body.sidekiq.name).toBe('WRITER (3)')
    const stored = await storedDoc(suite.h, team.shared)
    expect(sidekiqToRecord(stored, sidekiqId)).toEqual(file.sidekiq)
    expect(countSidekiqs(stored)).toBe(3)
  })

  test('refused: a viewer (403), a stranger (404), a bad file (400), a big one (413); nothing is added', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const file = (await team.byRole.owner.get(exportPath(team.ws.id, sidekiqId))).body as SidekiqFile
    const count = async () => countSidekiqs(await storedDoc(suite.h, team.shared))

    const viewer = await importInto(team.byRole.viewer, team.ws.id, file)
    expect(viewer.status).toBe(403)
    expect(errorOf(viewer).code).toBe('FORBIDDEN')
    expect((await importInto(await signUp(suite.h, 'Stranger'), team.ws.id, file)).status).toBe(404)

    const bad = await importInto(team.byRole.member, team.ws.id, {
      ...file,
      sidekiq: { ...file.sidekiq, name: '  ', conversationStarters: 'not a list' },
    })
    expect(bad.status).toBe(400)
    expect(Object.keys(errorOf(bad).fields!).sort()).toEqual(['sidekiq.conversationStarters', 'sidekiq.name'])
    const workspaceFile = await importInto(team.byRole.member, team.ws.id, { ...file, format: 'workspaces.workspace' })
    expect(errorOf(workspaceFile).fields).toEqual({
      format: 'Not a sidekiq file (expected format "workspaces.sidekiq")',
    })
    const newer = await importInto(team.byRole.member, team.ws.id, { ...file, version: 2 })
    expect(newer.status).toBe(400)
    expect(errorOf(newer).fields).toEqual({ version: 'Newer than 1' })

    const huge = await importInto(team.byRole.member, team.ws.id, {
      ...file,
      sidekiq: { ...file.sidekiq, instructions: 'x'.repeat(300 * 1024) },
    })
    expect(huge.status).toBe(413)
    expect(errorOf(huge)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', fields: { _: 'At most 256 KB' } })
    expect(await count()).toBe(1)
  })

  test('the plan’s sidekiq limit holds, as for a sidekiq made by hand (403 LIMIT_REACHED)', async () => {
    const { team, sidekiqId } = await teamWithWriter()
    const file = (await team.byRole.owner.get(exportPath(team.ws.id, sidekiqId))).body as SidekiqFile
    const limit = PLANS.free.limits.sidekiqs!
    for (let i = 1; i < limit; i++) expect((await importInto(team.byRole.admin, team.ws.id, file)).status).toBe(201)
    const refused = await importInto(team.byRole.admin, team.ws.id, file)
    expect(refused.status).toBe(403)
    expect(errorOf(refused)).toMatchObject({
      code: 'LIMIT_REACHED',
      message: `This workspace’s plan holds ${limit} sidekiqs`,
    })
    expect(countSidekiqs(await storedDoc(suite.h, team.shared))).toBe(limit)
  })
})
