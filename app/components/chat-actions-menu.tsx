import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react'
import { createPortal } from 'react-dom'

export interface MenuAction {
  readonly id: string
  readonly label: string
  readonly danger?: boolean
  readonly run: () => void
}

const MENU_WIDTH = 176

/**
 * A "⋯" button opening a menu of actions, following the WAI-ARIA menu
 * button pattern: Enter, Space or ArrowDown open it on the first item
 * (ArrowUp on the last), arrows and Home/End move, Escape closes it back
 * onto the button, Tab or a click outside closes it. The menu is drawn in a
 * portal at the button's place on screen, so the sidebar's scrolling and
 * its sliding panel on phones neither clip nor move it.
 */
export function ChatActionsMenu({ actions, label = 'Chat actions' }: { actions: MenuAction[]; label?: string }) {
  const [open, setOpen] = useState<false | 'first' | 'last'>(false)
  const [position, setPosition] = useState<{ top: number; left: number } | null>(null)
  const button = useRef<HTMLButtonElement>(null)
  const menu = useRef<HTMLDivElement>(null)
  const menuId = useId()

  const items = () => Array.from(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])
  const close = (refocus: boolean) => {
    setOpen(false)
    if (refocus) button.current?.focus()
  }

  useLayoutEffect(() => {
    if (!open || !button.current) return
    const rect = button.current.getBoundingClientRect()
    const height = actions.length * 36 + 8
    const below = rect.bottom + 4 + height <= window.innerHeight
    setPosition({
      top: below ? rect.bottom + 4 : Math.max(8, rect.top - height - 4),
      left: Math.max(8, Math.min(rect.right - MENU_WIDTH, window.innerWidth - MENU_WIDTH - 8)),
    })
  }, [open, actions.length])

  useEffect(() => {
    if (!open || !position) return
    const list = items()
    ;(open === 'last' ? list[list.length - 1] : list[0])?.focus()
  }, [open, position])

  useEffect(() => {
    if (!open) return
    const onDown = (e: MouseEvent) => {
      const target = e.target as Node
      if (!menu.current?.contains(target) && !button.current?.contains(target)) close(false)
    }
    // A fixed menu would float away from its chat when the list scrolls or the window changes.
    const onMove = () => close(false)
    document.addEventListener('mousedown', onDown)
    window.addEventListener('resize', onMove)
    document.addEventListener('scroll', onMove, true)
    return () => {
      document.removeEventListener('mousedown', onDown)
      window.removeEventListener('resize', onMove)
      document.removeEventListener('scroll', onMove, true)
    }
  }, [open])

  const onMenuKey = (e: KeyboardEvent) => {
    const list = items()
    const at = list.indexOf(document.activeElement as HTMLElement)
    const focus = (i: number) => list[(i + list.length) % list.length]?.focus()
    if (e.key === 'ArrowDown') focus(at + 1)
    else if (e.key === 'ArrowUp') focus(at - 1)
    else if (e.key === 'Home') focus(0)
    else if (e.key === 'End') focus(list.length - 1)
    else if (e.key === 'Escape') close(true)
    else if (e.key === 'Tab') close(false)
    else return
    if (e.key !== 'Tab') e.preventDefault()
    // Escape must not also close whatever holds the menu (the phone sidebar).
    e.stopPropagation()
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={Boolean(open)}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => (o ? false : 'first'))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault()
            setOpen(e.key === 'ArrowDown' ? 'first' : 'last')
          }
        }}
        // With a mouse, shown on the hovered, focused or open chat; always on touch screens, which have no hover.
        className="flex h-7 w-7 shrink-0 items-center justify-center rounded-md text-zinc-500 hover:bg-zinc-300/60 hover:text-zinc-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 md:opacity-0 md:group-focus-within:opacity-100 md:group-hover:opacity-100 md:group-has-[[aria-current=page]]:opacity-100 md:aria-expanded:opacity-100"
      >
        <span aria-hidden className="text-base leading-none">
          ⋯
        </span>
      </button>
      {open && typeof document !== 'undefined'
        ? createPortal(
            <div
              ref={menu}
              id={menuId}
              role="menu"
              aria-label={label}
              onKeyDown={onMenuKey}
              style={{ top: position?.top ?? -9999, left: position?.left ?? -9999, width: MENU_WIDTH }}
              className="fixed z-[60] rounded-lg bg-white p-1 shadow-lg ring-1 ring-zinc-200"
              data-testid="chat-actions-menu"
            >
              {actions.map((action) => (
                <button
                  key={action.id}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  onClick={() => {
                    close(false)
                    action.run()
                  }}
                  className={`block w-full rounded-md px-2.5 py-1.5 text-left text-sm focus:outline-none ${
                    action.danger
                      ? 'text-red-700 hover:bg-red-50 focus:bg-red-50'
                      : 'text-zinc-800 hover:bg-zinc-100 focus:bg-zinc-100'
                  }`}
                >
                  {action.label}
                </button>
              ))}
            </div>,
            document.body,
          )
        : null}
    </>
  )
}
