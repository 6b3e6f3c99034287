import type { ReactNode } from 'react'

/**
 * A download from our API, styled as a secondary button: the server answers
 * with an attachment (its name in Content-Disposition), so a plain link
 * saves it with the session cookie and no script.
 */
export function DownloadLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a
      href={href}
      download
      className="inline-flex items-center justify-center gap-2 rounded-md bg-white px-3 py-2 text-sm font-medium text-zinc-800 ring-1 ring-zinc-300 transition hover:bg-zinc-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      {children}
    </a>
  )
}
