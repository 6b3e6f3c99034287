import { Link } from '@tanstack/react-router'
import { useEffect, useRef, useState } from 'react'
import { RoleBadge } from './ui'

export interface SwitcherWorkspace {
  id: string
  name: string
  slug: string
  isPersonal: boolean
  role: string
}

function Avatar({ name, personal }: { name: string; personal: boolean }) {
  return (
    <span
      aria-hidden
      className={`flex h-7 w-7 shrink-0 items-center justify-center rounded-md text-xs font-semibold text-white ${personal ? 'bg-zinc-700' : 'bg-indigo-600'}`}
    >
      {name.trim().charAt(0).toUpperCase() || 'W'}
    </span>
  )
}

/**
 * Lists the viewer's workspaces (personal first, as the server orders them)
 * with their role; choosing one changes the URL prefix, which reloads the
 * whole workspace frame.
 */
export function WorkspaceSwitcher({
  current,
  workspaces,
}: {
  current: SwitcherWorkspace | null
  workspaces: SwitcherWorkspace[]
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false)
    }
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    document.addEventListener('keydown', onKey)
    return () => {
      document.removeEventListener('mousedown', onDown)
      document.removeEventListener('keydown', onKey)
    }
  }, [open])

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-label="Switch workspace"
        data-testid="workspace-switcher"
        onClick={() => setOpen((o) => !o)}
        className="flex w-full items-center gap-2 rounded-lg px-2 py-2 text-left hover:bg-zinc-200/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      >
        {current ? <Avatar name={current.name} personal={current.isPersonal} /> : null}
        <span className="min-w-0 flex-1">
          <span className="block truncate text-sm font-semibold text-zinc-900">
            {current?.name ?? 'Choose a workspace'}
          </span>
          {current ? (
            <span className="block text-xs text-zinc-500">{current.isPersonal ? 'Personal' : current.role}</span>
          ) : null}
        </span>
        <span aria-hidden className="text-zinc-400">
          ⌄
        </span>
      </button>
      {open ? (
        <div className="absolute left-0 right-0 z-20 mt-1 rounded-lg bg-white p-1 shadow-lg ring-1 ring-zinc-200">
          <ul role="listbox" aria-label="Workspaces" data-testid="workspace-list">
            {workspaces.map((w) => (
              <li key={w.id} role="option" aria-selected={w.id === current?.id}>
                <Link
                  to="/w/$workspaceSlug"
                  params={{ workspaceSlug: w.slug }}
                  onClick={() => setOpen(false)}
                  className={`flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-zinc-100 focus:bg-zinc-100 focus:outline-none ${w.id === current?.id ? 'bg-zinc-50' : ''}`}
                >
                  <Avatar name={w.name} personal={w.isPersonal} />
                  <span className="min-w-0 flex-1 truncate">{w.name}</span>
                  {w.isPersonal ? <span className="text-xs text-zinc-500">Personal</span> : <RoleBadge role={w.role} />}
                </Link>
              </li>
            ))}
          </ul>
          <div className="mt-1 border-t border-zinc-100 pt-1">
            <Link
              to="/workspaces/new"
              onClick={() => setOpen(false)}
              className="block rounded-md px-2 py-1.5 text-sm text-indigo-700 hover:bg-indigo-50 focus:bg-indigo-50 focus:outline-none"
            >
              + Create workspace
            </Link>
          </div>
        </div>
      ) : null}
    </div>
  )
}
