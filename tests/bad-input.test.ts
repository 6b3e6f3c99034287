import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createHarness, signUp, TestClient, type Harness } from './helpers/harness'
import {
  addMember,
  addInvitation,
  createWorkspace,
  errorOf,
  snapshot,
  uniqueEmail,
  workspaceRow,
} from './helpers/fixtures'

/**
 * Malformed input is the caller's mistake: every endpoint the app uses
 * answers 400 (never 500) and, where a field is to blame, names it in
 * `fields`, so a form can show the message next to the right input.
 */

let h: Harness
let owner: TestClient
let anonymous: TestClient
let ws: { id: string; slug: string }
let memberId: string
let invitationId: string
let before: Awaited<ReturnType<typeof snapshot>>

beforeAll(async () => {
  h = await createHarness()
  owner = await signUp(h, 'Owner')
  anonymous = new TestClient(h)
  ws = await createWorkspace(owner)
  const colleague = await signUp(h, 'Colleague')
  memberId = await addMember(h, ws.id, colleague.user!.id, 'member')
  invitationId = await addInvitation(h, ws.id, owner.user!.id, uniqueEmail('pending'))
  before = await snapshot(h, ws.id)
})

afterAll(async () => {
  await h?.close()
})

const long = (n: number, c = 'a') => c.repeat(n)
const NOT_JSON = '{"name": oops'

interface Case {
  name: string
  method: 'GET' | 'POST'
  /** Path, or a function of the fixture (ids are only known at run time). */
  path: string | (() => string)
  body?: unknown | (() => unknown)
  /** Fields the answer must name; null where no single field is to blame (unparseable body). */
  fields: string[] | null
  /** Sent without a session (sign-up and sign-in). */
  anonymous?: boolean
}

const signUpBody = { name: 'Ann', email: 'ann@example.test', password: 'correct horse battery' }
const wsId = () => ws.id

const CASES: Case[] = [
  // better-auth: accounts
  ...(
    [
      ['missing name', { email: 'a@example.test', password: 'correct horse battery' }, ['name']],
      ['missing email', { name: 'Ann', password: 'correct horse battery' }, ['email']],
      ['missing password', { name: 'Ann', email: 'a@example.test' }, ['password']],
      ['bad email', { ...signUpBody, email: 'not-an-email' }, ['email']],
      ['email too long', { ...signUpBody, email: `${long(250)}@example.test` }, ['email']],
      ['short password', { ...signUpBody, password: 'short' }, ['password']],
      ['password too long', { ...signUpBody, password: long(129) }, ['password']],
      ['blank name', { ...signUpBody, name: '   ' }, ['name']],
      ['name too long', { ...signUpBody, name: long(81) }, ['name']],
      ['name of the wrong type', { ...signUpBody, name: 42 }, ['name']],
      ['bad email and short password', { name: 'Ann', email: 'nope', password: 'short' }, ['email', 'password']],
      ['a JSON array', [], ['_']],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `sign-up: ${name}`,
    method: 'POST',
    path: '/api/auth/sign-up/email',
    body,
    fields: [...fields],
    anonymous: true,
  })),
  {
    name: 'sign-up: not JSON',
    method: 'POST',
    path: '/api/auth/sign-up/email',
    body: NOT_JSON,
    fields: null,
    anonymous: true,
  },
  {
    name: 'sign-in: bad email',
    method: 'POST',
    path: '/api/auth/sign-in/email',
    body: { email: 'nope', password: 'x' },
    fields: ['email'],
    anonymous: true,
  },
  {
    name: 'sign-in: missing password',
    method: 'POST',
    path: '/api/auth/sign-in/email',
    body: { email: 'a@example.test' },
    fields: ['password'],
    anonymous: true,
  },
  {
    name: 'sign-in: password of the wrong type',
    method: 'POST',
    path: '/api/auth/sign-in/email',
    body: { email: 'a@example.test', password: 123 },
    fields: ['password'],
    anonymous: true,
  },

  // better-auth: workspaces
  ...(
    [
      ['missing name', { slug: 'good-slug' }, ['name']],
      ['missing slug', { name: 'Acme' }, ['slug']],
      ['slug with spaces and capitals', { name: 'Acme', slug: 'Bad Slug' }, ['slug']],
      ['slug too short', { name: 'Acme', slug: 'ab' }, ['slug']],
      ['slug too long', { name: 'Acme', slug: long(49) }, ['slug']],
      ['slug with a double hyphen', { name: 'Acme', slug: 'acme--inc' }, ['slug']],
      ['reserved slug', { name: 'Acme', slug: 'admin' }, ['slug']],
      ['name too long', { name: long(81), slug: 'good-slug' }, ['name']],
      ['name of the wrong type', { name: 5, slug: 'good-slug' }, ['name']],
      ['unknown key', { name: 'Acme', slug: 'good-slug', logo: 'https://x.test/l.png' }, ['logo']],
      [
        'flag of the wrong type',
        { name: 'Acme', slug: 'good-slug', keepCurrentActiveOrganization: 'yes' },
        ['keepCurrentActiveOrganization'],
      ],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `organization/create: ${name}`,
    method: 'POST',
    path: '/api/auth/organization/create',
    body,
    fields: [...fields],
  })),
  {
    name: 'organization/create: not JSON',
    method: 'POST',
    path: '/api/auth/organization/create',
    body: NOT_JSON,
    fields: null,
  },
  {
    name: 'organization/check-slug: bad slug',
    method: 'POST',
    path: '/api/auth/organization/check-slug',
    body: { slug: 'NO' },
    fields: ['slug'],
  },
  ...(
    [
      ['missing data', () => ({ organizationId: wsId() }), ['data']],
      ['nothing to update', () => ({ organizationId: wsId(), data: {} }), ['data']],
      ['empty name', () => ({ organizationId: wsId(), data: { name: '' } }), ['data.name']],
      ['name too long', () => ({ organizationId: wsId(), data: { name: long(81) } }), ['data.name']],
      ['bad slug', () => ({ organizationId: wsId(), data: { slug: 'Not OK' } }), ['data.slug']],
      [
        'unknown key in data',
        () => ({ organizationId: wsId(), data: { name: 'Ok', metadata: { big: 1 } } }),
        ['data.metadata'],
      ],
      ['logo in data', () => ({ organizationId: wsId(), data: { name: 'Ok', logo: 5 } }), ['data.logo']],
      ['unknown top-level key', () => ({ organizationId: wsId(), data: { name: 'Ok' }, extra: 1 }), ['extra']],
      ['organizationId of the wrong type', () => ({ organizationId: 5, data: { name: 'Ok' } }), ['organizationId']],
      ['organizationId too long', () => ({ organizationId: long(129), data: { name: 'Ok' } }), ['organizationId']],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `organization/update: ${name}`,
    method: 'POST',
    path: '/api/auth/organization/update',
    body,
    fields: [...fields],
  })),
  {
    name: 'organization/update: not JSON',
    method: 'POST',
    path: '/api/auth/organization/update',
    body: NOT_JSON,
    fields: null,
  },
  {
    name: 'organization/delete: missing id',
    method: 'POST',
    path: '/api/auth/organization/delete',
    body: {},
    fields: ['organizationId'],
  },
  {
    name: 'organization/delete: id of the wrong type',
    method: 'POST',
    path: '/api/auth/organization/delete',
    body: { organizationId: 123 },
    fields: ['organizationId'],
  },
  {
    name: 'organization/delete: unknown key',
    method: 'POST',
    path: '/api/auth/organization/delete',
    body: () => ({ organizationId: wsId(), force: true }),
    fields: ['force'],
  },
  {
    name: 'organization/delete: JSON null',
    method: 'POST',
    path: '/api/auth/organization/delete',
    body: 'null',
    fields: ['organizationId'],
  },

  // better-auth: invitations
  ...(
    [
      ['bad email', () => ({ organizationId: wsId(), email: 'nope', role: 'member' }), ['email']],
      ['missing email', () => ({ organizationId: wsId(), role: 'member' }), ['email']],
      [
        'email too long',
        () => ({ organizationId: wsId(), email: `${long(250)}@example.test`, role: 'member' }),
        ['email'],
      ],
      ['unknown role', () => ({ organizationId: wsId(), email: 'x@example.test', role: 'superuser' }), ['role']],
      ['owner role', () => ({ organizationId: wsId(), email: 'x@example.test', role: 'owner' }), ['role']],
      ['missing role', () => ({ organizationId: wsId(), email: 'x@example.test' }), ['role']],
      [
        'resend flag (resending has its own route)',
        () => ({ organizationId: wsId(), email: 'x@example.test', role: 'member', resend: true }),
        ['resend'],
      ],
      [
        'organizationId of the wrong type',
        () => ({ organizationId: [wsId()], email: 'x@example.test', role: 'member' }),
        ['organizationId'],
      ],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `organization/invite-member: ${name}`,
    method: 'POST',
    path: '/api/auth/organization/invite-member',
    body,
    fields: [...fields],
  })),
  ...(['cancel-invitation', 'accept-invitation', 'reject-invitation'] as const).flatMap((endpoint): Case[] => [
    {
      name: `organization/${endpoint}: missing id`,
      method: 'POST',
      path: `/api/auth/organization/${endpoint}`,
      body: {},
      fields: ['invitationId'],
    },
    {
      name: `organization/${endpoint}: id too long`,
      method: 'POST',
      path: `/api/auth/organization/${endpoint}`,
      body: { invitationId: long(129) },
      fields: ['invitationId'],
    },
    {
      name: `organization/${endpoint}: id of the wrong type`,
      method: 'POST',
      path: `/api/auth/organization/${endpoint}`,
      body: { invitationId: { $ne: null } },
      fields: ['invitationId'],
    },
    {
      name: `organization/${endpoint}: unknown key`,
      method: 'POST',
      path: `/api/auth/organization/${endpoint}`,
      body: () => ({ invitationId, role: 'owner' }),
      fields: ['role'],
    },
  ]),
  {
    name: 'organization/get-invitation: missing id',
    method: 'GET',
    path: '/api/auth/organization/get-invitation',
    fields: ['id'],
  },
  {
    name: 'organization/list-invitations: id too long',
    method: 'GET',
    path: `/api/auth/organization/list-invitations?organizationId=${long(129)}`,
    fields: ['organizationId'],
  },

  // better-auth: members
  ...(
    [
      ['missing member', () => ({ organizationId: wsId() }), ['memberIdOrEmail']],
      ['empty member', () => ({ organizationId: wsId(), memberIdOrEmail: '  ' }), ['memberIdOrEmail']],
      ['member too long', () => ({ organizationId: wsId(), memberIdOrEmail: long(255) }), ['memberIdOrEmail']],
      ['member of the wrong type', () => ({ organizationId: wsId(), memberIdOrEmail: 7 }), ['memberIdOrEmail']],
      ['unknown key', () => ({ organizationId: wsId(), memberIdOrEmail: memberId, reason: 'x' }), ['reason']],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `organization/remove-member: ${name}`,
    method: 'POST',
    path: '/api/auth/organization/remove-member',
    body,
    fields: [...fields],
  })),
  ...(
    [
      ['unknown role', () => ({ organizationId: wsId(), memberId, role: 'boss' }), ['role']],
      ['several roles in one string', () => ({ organizationId: wsId(), memberId, role: 'admin,owner' }), ['role']],
      ['role of the wrong type', () => ({ organizationId: wsId(), memberId, role: ['admin'] }), ['role']],
      ['missing member', () => ({ organizationId: wsId(), role: 'viewer' }), ['memberId']],
      ['missing role', () => ({ organizationId: wsId(), memberId }), ['role']],
    ] as const
  ).map(([name, body, fields]): Case => ({
    name: `organization/update-member-role: ${name}`,
    method: 'POST',
    path: '/api/auth/organization/update-member-role',
    body,
    fields: [...fields],
  })),
  {
    name: 'organization/set-active: id of the wrong type',
    method: 'POST',
    path: '/api/auth/organization/set-active',
    body: { organizationId: 5 },
    fields: ['organizationId'],
  },
  {
    name: 'organization/set-active: bad slug',
    method: 'POST',
    path: '/api/auth/organization/set-active',
    body: { organizationSlug: 'Bad Slug' },
    fields: ['organizationSlug'],
  },
  {
    name: 'organization/set-active: unknown key',
    method: 'POST',
    path: '/api/auth/organization/set-active',
    body: () => ({ organizationId: wsId(), teamId: 'x' }),
    fields: ['teamId'],
  },
  {
    name: 'organization/leave: missing id',
    method: 'POST',
    path: '/api/auth/organization/leave',
    body: {},
    fields: ['organizationId'],
  },
  {
    name: 'organization/leave: unknown key',
    method: 'POST',
    path: '/api/auth/organization/leave',
    body: () => ({ organizationId: wsId(), userId: 'someone' }),
    fields: ['userId'],
  },
  {
    name: 'organization/get-full-organization: membersLimit not a number',
    method: 'GET',
    path: () => `/api/auth/organization/get-full-organization?organizationId=${wsId()}&membersLimit=lots`,
    fields: ['membersLimit'],
  },
  {
    name: 'organization/get-full-organization: membersLimit zero',
    method: 'GET',
    path: () => `/api/auth/organization/get-full-organization?organizationId=${wsId()}&membersLimit=0`,
    fields: ['membersLimit'],
  },
  {
    name: 'organization/get-full-organization: id too long',
    method: 'GET',
    path: `/api/auth/organization/get-full-organization?organizationId=${long(129)}`,
    fields: ['organizationId'],
  },
  {
    name: 'organization/list-members: negative limit',
    method: 'GET',
    path: () => `/api/auth/organization/list-members?organizationId=${wsId()}&limit=-1`,
    fields: ['limit'],
  },
  {
    name: 'organization/list-members: offset not a number',
    method: 'GET',
    path: () => `/api/auth/organization/list-members?organizationId=${wsId()}&offset=abc`,
    fields: ['offset'],
  },
  {
    name: 'organization/has-permission: missing permissions',
    method: 'POST',
    path: '/api/auth/organization/has-permission',
    body: () => ({ organizationId: wsId() }),
    fields: ['permissions'],
  },

  // Our routes
  {
    name: 'transfer-ownership: missing memberId',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: {},
    fields: ['memberId'],
  },
  {
    name: 'transfer-ownership: memberId of the wrong type',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: { memberId: 5 },
    fields: ['memberId'],
  },
  {
    name: 'transfer-ownership: blank memberId',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: { memberId: '   ' },
    fields: ['memberId'],
  },
  {
    name: 'transfer-ownership: memberId too long',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: { memberId: long(129) },
    fields: ['memberId'],
  },
  {
    name: 'transfer-ownership: not JSON',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: NOT_JSON,
    fields: ['_'],
  },
  {
    name: 'transfer-ownership: a JSON string',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/transfer-ownership`,
    body: '"someone"',
    fields: ['_'],
  },
  {
    name: 'transfer-ownership: workspace id too long',
    method: 'POST',
    path: `/api/workspaces/${long(129)}/transfer-ownership`,
    body: () => ({ memberId }),
    fields: ['workspaceId'],
  },
  {
    name: 'transfer-ownership: blank workspace id',
    method: 'POST',
    path: '/api/workspaces/%20/transfer-ownership',
    body: () => ({ memberId }),
    fields: ['workspaceId'],
  },
  {
    name: 'resend: invitation id too long',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/invitations/${long(129)}/resend`,
    fields: ['invitationId'],
  },
  {
    name: 'resend: workspace id too long',
    method: 'POST',
    path: () => `/api/workspaces/${long(129)}/invitations/${invitationId}/resend`,
    fields: ['workspaceId'],
  },
  {
    name: 'by-slug: capitals and underscore',
    method: 'GET',
    path: '/api/workspaces/by-slug/Bad_Slug',
    fields: ['slug'],
  },
  { name: 'by-slug: too short', method: 'GET', path: '/api/workspaces/by-slug/ab', fields: ['slug'] },
  { name: 'by-slug: too long', method: 'GET', path: `/api/workspaces/by-slug/${long(49)}`, fields: ['slug'] },
  {
    name: 'invitation preview: id too long',
    method: 'GET',
    path: `/api/invitations/${long(129)}`,
    fields: ['invitationId'],
  },
  {
    name: 'workspace invitations: workspace id too long',
    method: 'GET',
    path: `/api/workspaces/${long(129)}/invitations`,
    fields: ['workspaceId'],
  },
  {
    name: 'move chat: missing to',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/chats/c1/move`,
    body: {},
    fields: ['to'],
  },
  {
    name: 'move chat: to neither shared nor private',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/chats/c1/move`,
    body: { to: 'w/other' },
    fields: ['to'],
  },
  {
    name: 'move chat: an unknown field',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/chats/c1/move`,
    body: { to: 'shared', from: 'private' },
    fields: ['from'],
  },
  {
    name: 'move chat: chat id not fit for a room name',
    method: 'POST',
    path: () => `/api/workspaces/${wsId()}/chats/a%2Fb/move`,
    body: { to: 'shared' },
    fields: ['chatId'],
  },
]

describe('malformed input answers 400 naming the field', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const client = c.anonymous ? anonymous : owner
    const path = typeof c.path === 'function' ? c.path() : c.path
    const body = typeof c.body === 'function' ? (c.body as () => unknown)() : c.body
    const res = c.method === 'GET' ? await client.get(path) : await client.request('POST', path, body)
    expect({ status: res.status, body: res.body }).toMatchObject({ status: 400 })
    const error = errorOf(res)
    expect(error.code).toMatch(/BAD_REQUEST|VALIDATION_ERROR/)
    if (c.fields) {
      expect(error.fields, JSON.stringify(res.body)).toBeDefined()
      expect(Object.keys(error.fields!).sort()).toEqual([...c.fields].sort())
    }
  })

  test('none of it changed the workspace or created an account', async () => {
    expect(await snapshot(h, ws.id)).toEqual(before)
    // The sign-up cases used ann@example.test and a@example.test; none got through.
    const signIn = await anonymous.post('/api/auth/sign-in/email', {
      email: 'ann@example.test',
      password: 'correct horse battery',
    })
    expect(signIn.status).toBe(401)
  })
})

describe('accepted input is stored as it was validated', () => {
  test('names and slugs are trimmed before they are stored', async () => {
    const email = uniqueEmail('spacey')
    const client = new TestClient(h)
    const signedUp = await client.post('/api/auth/sign-up/email', {
      name: '  Spacey  ',
      email,
      password: 'correct horse battery',
    })
    expect(signedUp.status).toBe(200)
    expect(signedUp.body.user.name).toBe('Spacey')

    const slug = `trim-${Date.now().toString(36)}`
    const created = await client.post('/api/auth/organization/create', { name: '  Acme  ', slug: `  ${slug}  ` })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ name: 'Acme', slug })
    expect((await client.get(`/api/workspaces/by-slug/${slug}`)).status).toBe(200)
  })

  test('an email is matched whatever its case', async () => {
    const created = await createWorkspace(owner)
    const res = await owner.post('/api/auth/organization/invite-member', {
      organizationId: created.id,
      email: 'Mixed.Case@Example.TEST',
      role: 'viewer',
    })
    expect(res.status).toBe(200)
    expect(res.body.email).toBe('mixed.case@example.test')
  })
})

describe('one error shape for the whole API', () => {
  test('better-auth and our routes both answer { code, message, fields? } at the top level', async () => {
    const responses = [
      await owner.post('/api/auth/organization/create', { name: 'Acme', slug: 'NO' }),
      await owner.post(`/api/workspaces/${ws.id}/transfer-ownership`, {}),
      await anonymous.get('/api/workspaces'),
      await owner.get('/api/workspaces/by-slug/no-such-workspace'),
      await owner.get('/api/no-such-endpoint'),
    ]
    expect(responses.map((r) => r.status)).toEqual([400, 400, 401, 404, 404])
    for (const res of responses) {
      expect(res.body).toEqual({
        code: expect.any(String),
        message: expect.any(String),
        ...(res.status === 400 ? { fields: expect.any(Object) } : {}),
      })
    }
  })
})

describe('oversized bodies', () => {
  test('a JSON body past the route’s limit is a 413 and changes nothing', async () => {
    const res = await owner.post(`/api/workspaces/${ws.id}/default-model`, {
      model: 'demo',
      pad: 'x'.repeat(1024 * 1024),
    })
    expect(res.status).toBe(413)
    expect(res.body).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.any(String), fields: { _: 'At most 1 MB' } })
    expect((await workspaceRow(h, ws.id))!.defaultModel).toBeNull()
  })
})
