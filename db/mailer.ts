import { randomUUID } from 'node:crypto'
import { createTransport, type Transporter } from 'nodemailer'
import type { Db } from './client'
import { serverEnv } from './env'
import { mailOutbox } from './schema'

export interface MailMessage {
  to: string
  subject: string
  text: string
  html?: string
  workspaceId?: string
}

let transporter: Transporter | null | undefined

function smtp(): Transporter | null {
  if (transporter === undefined) {
    const url = serverEnv().SMTP_URL
    transporter = url ? createTransport(url) : null
  }
  return transporter
}

/**
 * Sends through SMTP when SMTP_URL is set; either way the message is stored
 * in the outbox, which is the delivery in development (shown at /dev/outbox).
 * A failed SMTP send is recorded, never thrown: the invitation itself stands
 * and its link can still be copied.
 */
export async function sendMail(db: Db, message: MailMessage): Promise<{ id: string; status: string }> {
  const id = randomUUID()
  const transport = smtp()
  let status = 'logged'
  let error: string | null = null
  if (transport) {
    try {
      await transport.sendMail({ from: serverEnv().MAIL_FROM, ...message })
      status = 'sent'
    } catch (e) {
      status = 'failed'
      error = e instanceof Error ? e.message : String(e)
    }
  } else {
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
