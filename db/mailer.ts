import { randomUUID } from 'node:crypto'
import { createTransport, type Transporter } from 'nodemailer'
import type { Db } from './client'
import type { ServerEnv } from './env'
import { mailOutbox } from './schema'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
  workspaceId?: string
}

/** What the mailer needs of the environment. */
export type MailConfig = Pick<ServerEnv, 'SMTP_URL' | 'MAIL_FROM' | 'NODE_ENV'>

// One pooled transport per SMTP URL, created on first use.
const transports = new Map<string, Transporter>()

function smtp(url: string | undefined): Transporter | null {
  if (!url) return null
  let transport = transports.get(url)
  if (!transport) {
    transport = createTransport(url)
    transports.set(url, transport)
  }
  return transport
}

/**
 * Sends through SMTP when SMTP_URL is set; either way the message is stored
 * in the outbox, which is the delivery in development (shown at /dev/outbox).
 * A failed SMTP send is recorded, never thrown: the invitation itself stands
 * and its link can still be copied.
 */
export async function sendMail(
  db: Db,
  config: MailConfig,
  message: MailMessage,
): Promise<{ id: string; status: string }> {
  const id = randomUUID()
  const transport = smtp(config.SMTP_URL)
  let status = 'logged'
  let error: string | null = null
  if (transport) {
    try {
      await transport.sendMail({ from: config.MAIL_FROM, ...message })
      status = 'sent'
    } catch (e) {
      status = 'failed'
      error = e instanceof Error ? e.message : String(e)
    }
  } else if (config.NODE_ENV !== 'test') {
    console.info(`[mail] to=${message.to} subject=${JSON.stringify(message.subject)}\n${message.text}`)
  }
  await db.insert(mailOutbox).values({
    id,
    workspaceId: message.workspaceId ?? null,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html ?? null,
    status,
    error,
  })
  return { id, status }
}
