import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  appendMessage,
  createChat,
  getChat,
  openChatRoom,
  isDocOrigin,
  isServerOrigin,
  LOCAL_ORIGIN,
  MIGRATION_ORIGIN,
  renameChat,
  serverOrigin,
} from '../../shared/doc'
import { CHAT_EDITS_KEY, CHAT_INDEX_KEY } from '../../shared/doc/chat-index'
import { recordOrigins } from './helpers'

describe('transaction origins', () => {
  test('tells the three kinds apart', () => {
    const server = serverOrigin('ai-stream')
    expect(server).toEqual({ kind: 'server', reason: 'ai-stream' })
    expect(isServerOrigin(server)).toBe(true)
    expect(isServerOrigin(LOCAL_ORIGIN)).toBe(false)
    expect(isServerOrigin(MIGRATION_ORIGIN)).toBe(false)
    expect(isDocOrigin(LOCAL_ORIGIN)).toBe(true)
    expect(isDocOrigin(MIGRATION_ORIGIN)).toBe(true)
  })

  test('does not mistake a provider or a lookalike for a doc origin', () => {
    expect(isDocOrigin(null)).toBe(false)
    expect(isDocOrigin('local')).toBe(false)
    expect(isDocOrigin({ kind: 'remote' })).toBe(false)
    expect(isDocOrigin({ kind: 'server' })).toBe(false)
    expect(isServerOrigin({ kind: 'server', reason: 7 })).toBe(false)
  })

  test('mutations run with the local origin unless given another', () => {
    const doc = new Y.Doc()
    const origins = recordOrigins(doc)
    const chat = createChat(doc, { createdBy: 'u1' })
    // One doc as the index and the chat's room, so one recorder sees both kinds of write.
    openChatRoom(doc, chat.id)
    const server = serverOrigin('ai-stream')
    appendMessage(doc, chat.id, { role: 'assistant', authorId: 'u1', status: 'streaming' }, server)
    expect(origins).toEqual([LOCAL_ORIGIN, LOCAL_ORIGIN, server])
    expect(origins[0]).toBe(LOCAL_ORIGIN)
    expect(origins[2]).toBe(server)
  })

  test("an undo manager tracking local edits leaves the server's edits alone", () => {
    const doc = new Y.Doc()
    const chat = createChat(doc, { createdBy: 'u1', title: 'First' })
    const undo = new Y.UndoManager([doc.getMap(CHAT_INDEX_KEY), doc.getMap(CHAT_EDITS_KEY)], {
      trackedOrigins: new Set([LOCAL_ORIGIN]),
    })
    renameChat(doc, chat.id, 'Renamed by server', serverOrigin('auto-title'))
    renameChat(doc, chat.id, 'Renamed by me')
    undo.undo()
    expect(getChat(doc, chat.id)?.title).toBe('Renamed by server')
    expect(undo.canUndo()).toBe(false)
  })
})
