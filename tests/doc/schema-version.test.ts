import * as Y from 'yjs'
import { describe, expect, test } from 'vitest'
import {
  createChat,
  CURRENT_SCHEMA_VERSION,
  getSchemaVersion,
  listChats,
  migrateDoc,
  MIGRATION_ORIGIN,
  renameChat,
} from '../../shared/doc'
import { CHATS_KEY } from '../../shared/doc/chat-store'
import { applyMigrations, META_KEY, MIGRATIONS, type Migration } from '../../shared/doc/schema-version'
import { recordOrigins, replicaOf } from './helpers'

describe('schema version', () => {
  test('starts at version 1, one migration per version', () => {
    expect(CURRENT_SCHEMA_VERSION).toBe(1)
    expect(MIGRATIONS).toHaveLength(CURRENT_SCHEMA_VERSION)
  })

  test('stamps a doc without a version, in one migration transaction', () => {
    const doc = new Y.Doc()
    expect(getSchemaVersion(doc)).toBeNull()
    const origins = recordOrigins(doc)
    const report = migrateDoc(doc)
    expect(report).toEqual({ status: 'migrated', from: 0, to: 1, applied: [MIGRATIONS[0].description] })
    expect(getSchemaVersion(doc)).toBe(1)
    expect(origins).toEqual([MIGRATION_ORIGIN])
  })

  test('stamps a doc that has content but no version, and keeps the content', () => {
    const doc = new Y.Doc()
    createChat(doc, { id: 'c1', createdBy: 'u1', title: 'Old' })
    expect(migrateDoc(doc)).toMatchObject({ status: 'migrated', from: 0, to: 1 })
    expect(listChats(doc).map((c) => c.title)).toEqual(['Old'])
  })

  test('leaves a current doc alone', () => {
    const doc = new Y.Doc()
    migrateDoc(doc)
    const origins = recordOrigins(doc)
    expect(migrateDoc(doc)).toEqual({ status: 'current', version: 1 })
    expect(origins).toEqual([])
  })

  test('leaves a doc from a newer version alone and reports it', () => {
    const doc = new Y.Doc()
    doc.getMap(META_KEY).set('schemaVersion', CURRENT_SCHEMA_VERSION + 1)
    doc.getMap(CHATS_KEY).set('c1', new Y.Map())
    const before = Y.encodeStateAsUpdate(doc)
    const origins = recordOrigins(doc)
    expect(migrateDoc(doc)).toEqual({ status: 'newer', version: CURRENT_SCHEMA_VERSION + 1, supported: 1 })
    expect(origins).toEqual([])
    expect(Y.encodeStateAsUpdate(doc)).toEqual(before)
    expect(getSchemaVersion(doc)).toBe(CURRENT_SCHEMA_VERSION + 1)
  })

  test('leaves a doc whose stored version is not a version alone and reports it', () => {
    for (const stored of ['1', -1, 1.5, null]) {
      const doc = new Y.Doc()
      doc.getMap(META_KEY).set('schemaVersion', stored)
      const origins = recordOrigins(doc)
      expect(migrateDoc(doc)).toEqual({ status: 'invalid', stored })
      expect(origins).toEqual([])
      expect(getSchemaVersion(doc)).toBeNull()
    }
  })

  test('the stamp reaches other replicas', () => {
    const server = new Y.Doc()
    migrateDoc(server)
    expect(getSchemaVersion(replicaOf(server))).toBe(1)
  })

  describe('the migration framework, with a version 2', () => {
    const calls: string[] = []
    const v2: Migration[] = [
      { description: 'v1', up: () => calls.push('v1') },
      {
        description: 'v2: rename every chat to upper case',
        up: (doc) => {
          calls.push('v2')
          for (const chat of listChats(doc)) renameChat(doc, chat.id, chat.title.toUpperCase(), MIGRATION_ORIGIN)
        },
      },
    ]

    test('runs only the missing steps, in order, with the stamp in the same transaction', () => {
      calls.length = 0
      const doc = new Y.Doc()
      createChat(doc, { id: 'c1', createdBy: 'u1', title: 'hello' })
      migrateDoc(doc)
      const updates: Uint8Array[] = []
      doc.on('update', (u: Uint8Array) => updates.push(u))
      const origins = recordOrigins(doc)
      expect(applyMigrations(doc, v2)).toEqual({
        status: 'migrated',
        from: 1,
        to: 2,
        applied: ['v2: rename every chat to upper case'],
      })
      expect(calls).toEqual(['v2'])
      expect(origins).toEqual([MIGRATION_ORIGIN])
      expect(updates).toHaveLength(1)
      expect(listChats(doc)[0].title).toBe('HELLO')
      expect(getSchemaVersion(doc)).toBe(2)
    })

    test('runs every step from 0 on an unstamped doc', () => {
      calls.length = 0
      expect(applyMigrations(new Y.Doc(), v2)).toMatchObject({ status: 'migrated', from: 0, to: 2 })
      expect(calls).toEqual(['v1', 'v2'])
    })

    test('version 1 code reports a version 2 doc as newer', () => {
      const doc = new Y.Doc()
      applyMigrations(doc, v2)
      expect(migrateDoc(doc)).toEqual({ status: 'newer', version: 2, supported: 1 })
    })
  })
})
