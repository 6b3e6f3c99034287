import { createServer } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createWorkspace, outboxFor, uniqueEmail, uniqueSlug } from './helpers/fixtures'
import { createHarness, signUp, type Harness } from './helpers/harness'

interface Received {
  from: string
  to: string[]
  raw: string
}

/** A real SMTP server on a free port that keeps what it receives. */
async function startSmtp() {
  const received: Received[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as { port: number }).port
  return { port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

describe('with SMTP_URL set', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let h: Harness
  beforeAll(async () => {
    smtp = await startSmtp()
    h = await createHarness({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Workspaces <team@example.test>' })
  })
  afterAll(async () => {
    await h?.close()
    await smtp?.close()
  })

  test('an invitation is delivered over SMTP with its accept link, and recorded as sent', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner, { name: 'Mail Co', slug: uniqueSlug('mail') })
    const to = uniqueEmail('invitee')
    const res = await owner.post('/api/auth/organization/invite-member', {
      organizationId: ws.id,
      email: to,
      role: 'member',
    })
    expect(res.status).toBe(200)

    const mail = smtp.received.find((m) => m.to.includes(to))
    expect(mail).toBeDefined()
    expect(mail!.from).toBe('team@example.test')
    expect(mail!.raw).toContain('Subject: Owner invited you to Mail Co on Workspaces')
    expect(mail!.raw.replace(/=\r?\n/g, '')).toContain(`/invite/${res.body.id}`)
    const [row] = await outboxFor(h, to)
    expect(row.status).toBe('sent')
  })

  test('a resend delivers a second message carrying the new link', async () => {
    const owner = await signUp(h, 'Resender')
    const ws = await createWorkspace(owner, { name: 'Resend Co', slug: uniqueSlug('resend') })
    const to = uniqueEmail('again')
    const first = await owner.post('/api/auth/organization/invite-member', {
      organizationId: ws.id,
      email: to,
      role: 'viewer',
    })
    const again = await owner.post(`/api/workspaces/${ws.id}/invitations/${first.body.id}/resend`, {})
    expect(again.status).toBe(200)
    const mails = smtp.received.filter((m) => m.to.includes(to)).map((m) => m.raw.replace(/=\r?\n/g, ''))
    expect(mails).toHaveLength(2)
    expect(mails[1]).toContain(`/invite/${again.body.invitation.id}`)
    expect(again.body.invitation.id).not.toBe(first.body.id)
  })
})

describe('when the SMTP server is down', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` })
  })
  afterAll(() => h?.close())

  test('the invitation still stands and the failure is recorded in the outbox', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner, { name: 'Down Co', slug: uniqueSlug('down') })
    const to = uniqueEmail('unlucky')
    const res = await owner.post('/api/auth/organization/invite-member', {
      organizationId: ws.id,
      email: to,
      role: 'member',
    })
    expect(res.status).toBe(200)
    const [row] = await outboxFor(h, to)
    expect(row.status).toBe('failed')
    expect(row.error).toBeTruthy()
  })
})

describe('without SMTP_URL', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(() => h?.close())

  test('mail is kept in the outbox, which signed-in users can read in development', async () => {
    const owner = await signUp(h, 'Owner')
    const ws = await createWorkspace(owner, { name: 'Log Co', slug: uniqueSlug('log') })
    const to = uniqueEmail('logged')
    await owner.post('/api/auth/organization/invite-member', { organizationId: ws.id, email: to, role: 'member' })
    const [row] = await outboxFor(h, to)
    expect(row.status).toBe('logged')
    const outbox = await owner.get('/api/dev/outbox')
    expect(outbox.status).toBe(200)
    expect(outbox.body.messages.some((m: { to: string }) => m.to === to)).toBe(true)
  })

  test('the outbox does not exist in production', async () => {
    const prod = await createHarness({ NODE_ENV: 'production' })
    try {
      const someone = await signUp(prod, 'Someone')
      expect((await someone.get('/api/dev/outbox')).status).toBe(404)
    } finally {
      await prod.close()
    }
  })
})
