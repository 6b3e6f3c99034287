import { signOutAndForget } from '../lib/sign-out'
import { Link, useRouterState } from '@tanstack/react-router'
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import { can } from '../../shared/capabilities'
import { isWorkspaceRole } from '../../shared/roles'
import { isApplePlatform, shortcutKeys, useShortcuts, type Shortcut } from '../lib/use-shortcuts'
import { BillingBanner } from './billing-banner'
import { ChatList } from './chat-list'
import { ShortcutsHelp } from './shortcuts-help'
import { SyncIndicator } from './sync-indicator'
import { ToastProvider, useToast } from './toast'
import { useStartChat } from './use-start-chat'
import { WorkspaceSwitcher, type SwitcherWorkspace, type WorkspaceSwitcherHandle } from './workspace-switcher'

/** The workspace's pages in the sidebar's navigation; a new page is one more entry here. */
const NAV_LINKS = [
  { to: '/w/$workspaceSlug', label: 'Home', exact: true },
  { to: '/w/$workspaceSlug/sidekiqs', label: 'Sidekiqs', exact: false },
  { to: '/w/$workspaceSlug/usage', label: 'Usage', exact: false },
  { to: '/w/$workspaceSlug/billing', label: 'Billing', exact: false },
  { to: '/w/$workspaceSlug/settings', label: 'Settings', exact: false },
] as const

interface FrameProps {
  viewer: { id: string; name: string; email: string }
  current: SwitcherWorkspace | null
  workspaces: SwitcherWorkspace[]
  children: ReactNode
}

/**
 * The signed-in frame: sidebar (switcher, navigation, chats, account) and
 * the page, with the app's toasts and keyboard shortcuts. Below the `md`
 * breakpoint the sidebar slides in over the page from a menu button and
 * goes away again when the page changes.
 */
export function AppFrame(props: FrameProps) {
  return (
    <ToastProvider>
      <Frame {...props} />
    </ToastProvider>
  )
}

function Frame({ viewer, current, workspaces, children }: FrameProps) {
  const [sidebarOpen, setSidebarOpen] = useState(false)
  const [helpOpen, setHelpOpen] = useState(false)
  // Known only in the browser: rendering ⌘ on the server would not match a Mac's first render otherwise.
  const [mac, setMac] = useState(false)
  const searchRef = useRef<HTMLInputElement>(null)
  const switcherRef = useRef<WorkspaceSwitcherHandle>(null)
  const toast = useToast()
  const pathname = useRouterState({ select: (s) => s.location.pathname })
  const canWrite = current !== null && isWorkspaceRole(current.role) && can(current.role, 'content:write')
  const startChat = useStartChat(current?.slug ?? '', viewer.id)

  useEffect(() => setMac(isApplePlatform()), [])
  // Choosing a chat or a page on a phone closes the sidebar over it.
  useEffect(() => setSidebarOpen(false), [pathname])
  const openButton = useRef<HTMLButtonElement>(null)
  const closeButton = useRef<HTMLButtonElement>(null)
  /** Closes the phone sidebar and, when focus was in it, puts focus back on the button that opened it. */
  const closeSidebar = () => {
    const aside = document.getElementById('app-sidebar')
    if (aside?.contains(document.activeElement) || document.activeElement === document.body) openButton.current?.focus()
    setSidebarOpen(false)
  }
  useEffect(() => {
    if (!sidebarOpen) return
    // On a phone the open sidebar covers the page: focus goes into it (a shortcut may move it on after).
    if (window.matchMedia('(max-width: 767px)').matches) closeButton.current?.focus()
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) closeSidebar()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [sidebarOpen])

  /** Shows the sidebar (a no-op on wide screens), then acts in it once it is visible and focusable. */
  const inSidebar = (act: () => void) => {
    setSidebarOpen(true)
    requestAnimationFrame(act)
  }
  const shortcuts = useMemo<Shortcut[]>(
    () => [
      {
        key: 'o',
        mod: true,
        shift: true,
        description: 'New chat',
        run: () => {
          if (!current) return
          if (!canWrite) toast.show('Viewers can read chats but not start them')
          else startChat?.('shared')
        },
      },
      {
        key: 'k',
        mod: true,
        shift: false,
        description: 'Search chats',
        run: () => current && inSidebar(() => searchRef.current?.focus()),
      },
      {
        key: 'k',
        mod: true,
        shift: true,
        description: 'Switch workspace',
        run: () => inSidebar(() => switcherRef.current?.open()),
      },
      { key: '?', description: 'Show keyboard shortcuts', run: () => setHelpOpen((o) => !o) },
    ],
    [current, canWrite, startChat, toast],
  )
  useShortcuts(shortcuts)

  const signOut = async () => {
    await signOutAndForget(viewer.id)
    window.location.assign('/sign-in')
  }
  const nav =
    'block rounded-md px-2 py-1.5 text-sm text-zinc-700 hover:bg-zinc-200/60 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500'
  const active = { className: `${nav} bg-zinc-200/70 font-medium text-zinc-900` }
  const searchShortcut = shortcuts.find((s) => s.description === 'Search chats')
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <header className="sticky top-0 z-20 flex items-center gap-2 border-b border-zinc-200 bg-white/95 px-3 py-2 backdrop-blur md:hidden">
        <button
          type="button"
          aria-label="Open sidebar"
          aria-expanded={sidebarOpen}
          aria-controls="app-sidebar"
          ref={openButton}
          onClick={() => setSidebarOpen(true)}
          className="rounded-md p-1.5 text-zinc-700 hover:bg-zinc-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
        >
          <svg aria-hidden viewBox="0 0 20 20" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.75">
            <path d="M3 5h14M3 10h14M3 15h14" strokeLinecap="round" />
          </svg>
        </button>
        <span className="min-w-0 flex-1 truncate text-sm font-semibold text-zinc-900">
          {current?.name ?? 'Workspaces'}
        </span>
      </header>
      {sidebarOpen ? (
        <div aria-hidden className="fixed inset-0 z-30 bg-zinc-900/40 md:hidden" onClick={closeSidebar} />
      ) : null}
      <aside
        id="app-sidebar"
        aria-label="Sidebar"
        data-open={sidebarOpen}
        // Closed on a phone it is invisible, not just off-screen, so neither Tab nor a screen reader lands in it.
        className={`fixed inset-y-0 left-0 z-40 flex w-72 max-w-[85vw] shrink-0 flex-col border-r border-zinc-200 bg-zinc-100 p-3 shadow-xl transition-transform duration-200 md:visible md:static md:z-auto md:h-screen md:w-64 md:translate-x-0 md:bg-zinc-100/70 md:shadow-none ${
          sidebarOpen ? 'translate-x-0' : 'invisible -translate-x-full'
        }`}
      >
        <div className="flex items-start gap-1">
          <div className="min-w-0 flex-1">
            <WorkspaceSwitcher ref={switcherRef} current={current} workspaces={workspaces} />
          </div>
          <button
            type="button"
            aria-label="Close sidebar"
            ref={closeButton}
            onClick={closeSidebar}
            className="mt-1.5 rounded-md p-1.5 text-zinc-500 hover:bg-zinc-200/60 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 md:hidden"
          >
            <svg
              aria-hidden
              viewBox="0 0 20 20"
              className="h-5 w-5"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.75"
            >
              <path d="M5 5l10 10M15 5L5 15" strokeLinecap="round" />
            </svg>
          </button>
        </div>
        {current ? <SyncIndicator /> : null}
        {current ? (
          <nav className="mt-4 space-y-0.5" aria-label="Workspace">
            {NAV_LINKS.map((link) => (
              <Link
                key={link.to}
                to={link.to}
                params={{ workspaceSlug: current.slug }}
                activeOptions={{ exact: link.exact }}
                className={nav}
                activeProps={active}
              >
                {link.label}
              </Link>
            ))}
          </nav>
        ) : null}
        {current ? (
          <ChatList
            slug={current.slug}
            userId={viewer.id}
            canWrite={canWrite}
            searchRef={searchRef}
            searchHint={searchShortcut ? shortcutKeys(searchShortcut, mac).join(mac ? '' : '+') : undefined}
          />
        ) : (
          <div className="flex-1" />
        )}
        <div className="mt-3 border-t border-zinc-200 pt-3">
          <div className="truncate text-sm font-medium text-zinc-900" data-testid="viewer-name">
            {viewer.name}
          </div>
          <div className="truncate text-xs text-zinc-500">{viewer.email}</div>
          <div className="mt-2 flex gap-3 text-xs">
            <Link to="/account" className="text-zinc-600 hover:text-zinc-900">
              Account
            </Link>
            <button type="button" onClick={() => void signOut()} className="text-zinc-600 hover:text-zinc-900">
              Sign out
            </button>
            <button
              type="button"
              onClick={() => setHelpOpen(true)}
              className="ml-auto text-zinc-500 hover:text-zinc-900"
              aria-keyshortcuts="?"
            >
              Shortcuts <kbd className="font-sans">?</kbd>
            </button>
          </div>
        </div>
      </aside>
      <main className="min-w-0 flex-1 overflow-y-auto">
        {current && isWorkspaceRole(current.role) && can(current.role, 'workspace:billing') ? (
          <BillingBanner workspaceId={current.id} slug={current.slug} />
        ) : null}
        {children}
      </main>
      <ShortcutsHelp open={helpOpen} shortcuts={shortcuts} mac={mac} onClose={() => setHelpOpen(false)} />
    </div>
  )
}
