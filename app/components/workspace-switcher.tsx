import { Link } from '@tanstack/react-router'
import { useEffect, useId, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react'
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

export interface WorkspaceSwitcherHandle {
  /** Opens the list with focus on the current workspace (the switch-workspace shortcut). */
  open: () => void
}

/** Personal first, then the others in the server's order. */
function personalFirst(workspaces: SwitcherWorkspace[]): SwitcherWorkspace[] {
  return [...workspaces.filter((w) => w.isPersonal), ...workspaces.filter((w) => !w.isPersonal)]
}

/**
 * Lists the viewer's workspaces (personal first) with their role; choosing
 * one changes the URL prefix, which reloads the whole workspace frame.
 * Keyboard: Enter, Space or ArrowDown on the button opens the list on the
 * current workspace, arrows and Home/End move, Enter switches, Escape
 * closes back onto the button, Tab closes.
 */
export function WorkspaceSwitcher({
  current,
  workspaces,
  ref,
}: {
  current: SwitcherWorkspace | null
  workspaces: SwitcherWorkspace[]
  ref?: Ref<WorkspaceSwitcherHandle>
}) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const button = useRef<HTMLButtonElement>(null)
  const popup = useRef<HTMLDivElement>(null)
  const listId = useId()
  const ordered = personalFirst(workspaces)
  useImperativeHandle(ref, () => ({ open: () => setOpen(true) }), [])

  const links = () => Array.from(popup.current?.querySelectorAll<HTMLElement>('a') ?? [])
  const close = (refocus: boolean) => {
    setOpen(false)
    if (refocus) button.current?.focus()
  }

  useEffect(() => {
    if (!open) return
    const all = links()
    const at = ordered.findIndex((w) => w.id === current?.id)
    all[at >= 0 ? at : 0]?.focus()
    const onDown = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    return () => document.removeEventListener('mousedown', onDown)
    // Focus moves only when the list opens, not on every render while open: `open` is the one dependency.
  }, [open])

  const onListKey = (e: KeyboardEvent) => {
    const all = links()
    const at = all.indexOf(document.activeElement as HTMLElement)
    const focus = (i: number) => all[(i + all.length) % all.length]?.focus()
    if (e.key === 'ArrowDown') focus(at + 1)
    else if (e.key === 'ArrowUp') focus(at - 1)
    else if (e.key === 'Home') focus(0)
    else if (e.key === 'End') focus(all.length - 1)
    else if (e.key === 'Escape') close(true)
    else if (e.key === 'Tab') return close(false)
    else return
    e.preventDefault()
    e.stopPropagation()
  }

  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        aria-label="Switch workspace"
        data-testid="workspace-switcher"
        onClick={() => setOpen((o) => !o)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault()
            setOpen(true)
          }
        }}
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
        <div
          ref={popup}
          onKeyDown={onListKey}
          className="absolute right-0 left-0 z-30 mt-1 rounded-lg bg-white p-1 shadow-lg ring-1 ring-zinc-200"
        >
          <ul role="listbox" id={listId} aria-label="Workspaces" data-testid="workspace-list">
            {ordered.map((w) => (
              <li key={w.id} role="option" aria-selected={w.id === current?.id}>
                <Link
                  to="/w/$workspaceSlug"
                  params={{ workspaceSlug: w.slug }}
                  tabIndex={-1}
                  onClick={() => setOpen(false)}
                  className={`flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-zinc-100 focus:bg-zinc-100 focus:outline-none ${w.id === current?.id ? 'bg-zinc-50 font-medium' : ''}`}
                >
                  <Avatar name={w.name} personal={w.isPersonal} />
                  <span className="min-w-0 flex-1 truncate">{w.name}</span>
                  {w.isPersonal ? <span className="text-xs text-zinc-500">Personal</span> : <RoleBadge role={w.role} />}
                  {w.id === current?.id ? (
                    <span aria-hidden className="text-indigo-600">
                      ✓
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
          <div className="mt-1 border-t border-zinc-100 pt-1">
            <Link
              to="/workspaces/new"
              tabIndex={-1}
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
