import type { getWorkspaceShell } from '../../server/pages.functions'
import { localName } from '../sync/workspace-replica'

/** What the workspace frame shows, as the server last answered it for an available workspace. */
export type KeptShell = Extract<Awaited<ReturnType<typeof getWorkspaceShell>>, { status: 'ok' }>

/**
 * The last workspace shell per user and slug, kept in IndexedDB so the
 * frame opens offline. One database per user, named like the user's room
 * copies (`workspaces:<userId>:shell`), so sign-out's clearLocalCopies
 * deletes it with them.
 */
const SHELL_ROOM = 'shell'
const STORE = 'shells'
// Bumped when the shell's shape changes: a copy from an older app is not shown.
const VERSION = 1

interface Entry {
  version: number
  savedAt: number
  shell: KeptShell
}

const shellDatabase = (userId: string) => localName(userId, SHELL_ROOM)
const SHELL_DATABASE = /^workspaces:[^:]+:shell$/

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

function open(name: string): Promise<IDBDatabase> {
  const req = indexedDB.open(name, 1)
  req.onupgradeneeded = () => req.result.createObjectStore(STORE)
  return request(req)
}

/** Opens, runs one transaction, and closes again: an open connection would block sign-out's delete. */
async function withStore<T>(name: string, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>) {
  const db = await open(name)
  try {
    return await request(run(db.transaction(STORE, mode).objectStore(STORE)))
  } finally {
    db.close()
  }
}

export async function keepShell(shell: KeptShell): Promise<void> {
  const entry: Entry = { version: VERSION, savedAt: Date.now(), shell }
  await withStore(shellDatabase(shell.viewer.id), 'readwrite', (store) => store.put(entry, shell.workspace.slug))
}

export async function forgetShell(userId: string, slug: string): Promise<void> {
  await withStore(shellDatabase(userId), 'readwrite', (store) => store.delete(slug))
}

function isUsable(value: unknown, slug: string): value is Entry {
  const entry = value as Partial<Entry> | undefined
  const shell = entry?.shell
  return (
    entry?.version === VERSION &&
    typeof entry.savedAt === 'number' &&
    shell?.status === 'ok' &&
    typeof shell.viewer?.id === 'string' &&
    shell.workspace?.slug === slug &&
    Array.isArray(shell.workspaces)
  )
}

/**
 * The kept shell for a slug. Offline we do not know who is signed in, so
 * it is the newest copy among the people this device keeps shells for
 * (sign-out deletes a person's, so normally there is one).
 */
export async function readKeptShell(slug: string): Promise<KeptShell | null> {
  const names = ((await indexedDB.databases?.()) ?? [])
    .map((d) => d.name)
    .filter((name): name is string => !!name && SHELL_DATABASE.test(name))
  const entries = await Promise.all(
    names.map((name) => withStore<unknown>(name, 'readonly', (store) => store.get(slug)).catch(() => undefined)),
  )
  const usable = entries.filter((entry): entry is Entry => isUsable(entry, slug))
  usable.sort((a, b) => b.savedAt - a.savedAt)
  return usable[0]?.shell ?? null
}
