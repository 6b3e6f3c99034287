import { Notice } from './ui'
import { useApiData } from './use-api-data'

interface Mail {
  id: string
  to: string
  subject: string
  text: string
  status: string
  createdAt: string
}

/** Development aid: the emails the app would have sent, with their links. */
export function DevOutbox() {
  const { data, error } = useApiData<{ messages: Mail[] }>('/api/dev/outbox')
  return (
    <div className="mx-auto max-w-3xl px-6 py-10">
      <h1 className="text-2xl font-semibold">Mail outbox</h1>
      <p className="mt-1 text-sm text-zinc-500">Emails are stored here; with SMTP_URL set they are also sent.</p>
      <div className="mt-6 space-y-4">
        {error ? <Notice tone="error">{error}</Notice> : null}
        {data && !data.messages.length ? <p className="text-sm text-zinc-500">No mail yet.</p> : null}
        {data?.messages.map((m) => (
          <article key={m.id} className="rounded-lg bg-white p-4 ring-1 ring-zinc-200">
            <div className="flex justify-between text-xs text-zinc-500">
              <span>to {m.to}</span>
              <span>
                {m.status} · {new Date(m.createdAt).toLocaleString()}
              </span>
            </div>
            <h2 className="mt-1 text-sm font-semibold">{m.subject}</h2>
            <pre className="mt-2 text-xs whitespace-pre-wrap text-zinc-700">{m.text}</pre>
          </article>
        ))}
      </div>
    </div>
  )
}
