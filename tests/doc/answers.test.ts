import { describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import {
  appendMessage,
  createChat,
  editMessageContent,
  getChat,
  listChats,
  openChatRoom,
  serverOrigin,
  setChatModel,
} from '../../shared/doc'

const AI = serverOrigin('test')

/** A chat listed in an index room (`doc`), with a question in its own room. */
function chatWithQuestion() {
  const doc = new Y.Doc()
  const chat = createChat(doc, { title: 'Q', createdBy: 'alice' })
  const room = new Y.Doc()
  openChatRoom(room, chat.id)
  appendMessage(room, chat.id, { id: 'q1', role: 'user', authorId: 'alice', content: 'What is 2+2?' })
  return { doc, room, chatId: chat.id }
}

describe('answers, versions and the chat model', () => {
  test('an answer names the message it replies to; a second answer to it keeps the first as a previous version', () => {
    const { doc, room, chatId } = chatWithQuestion()
    appendMessage(room, chatId, { id: 'a1', role: 'assistant', authorId: 'm', content: '4', replyTo: 'q1' }, AI)
    appendMessage(room, chatId, { id: 'a2', role: 'assistant', authorId: 'm', content: 'Four', replyTo: 'q1' }, AI)
    const answers = getChat(doc, chatId, room)!.messages.filter((m) => m.replyTo === 'q1')
    expect(answers.map((m) => [m.id, m.content])).toEqual([
      ['a1', '4'],
      ['a2', 'Four'],
    ])
  })

  test('an answer cannot reply to a message outside its chat', () => {
    const { doc, room, chatId } = chatWithQuestion()
    const other = createChat(doc, { title: 'Other', createdBy: 'alice' })
    const otherRoom = new Y.Doc()
    openChatRoom(otherRoom, other.id)
    appendMessage(otherRoom, other.id, { id: 'elsewhere', role: 'user', authorId: 'alice', content: 'hi' })
    expect(() =>
      appendMessage(room, chatId, { role: 'assistant', authorId: 'm', replyTo: 'elsewhere' }, AI),
    ).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }))
    expect(getChat(doc, chatId, room)!.messages).toHaveLength(1)
  })

  test('a person’s message can be edited, an answer cannot', () => {
    const { doc, room, chatId } = chatWithQuestion()
    appendMessage(room, chatId, { id: 'a1', role: 'assistant', authorId: 'm', content: '4', replyTo: 'q1' }, AI)
    editMessageContent(room, chatId, 'q1', 'What is 3+3?')
    expect(getChat(doc, chatId, room)!.messages[0].content).toBe('What is 3+3?')
    expect(() => editMessageContent(room, chatId, 'a1', 'five')).toThrowError(
      expect.objectContaining({ code: 'CONFLICT' }),
    )
    expect(() => editMessageContent(room, chatId, 'q1', '')).toThrowError(
      expect.objectContaining({ code: 'BAD_REQUEST' }),
    )
    expect(getChat(doc, chatId, room)!.messages[1].content).toBe('4')
  })

  test('the chat’s model is set, shown in the list, and cleared; concurrent picks converge', () => {
    const { doc, chatId } = chatWithQuestion()
    setChatModel(doc, chatId, 'openai:gpt-4o-mini')
    expect(listChats(doc)[0].model).toBe('openai:gpt-4o-mini')
    setChatModel(doc, chatId, null)
    expect(listChats(doc)[0]).not.toHaveProperty('model')

    const other = new Y.Doc()
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    setChatModel(doc, chatId, 'demo')
    setChatModel(other, chatId, 'anthropic:claude-3-5-haiku-latest')
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    expect(getChat(doc, chatId)!.model).toBe(getChat(other, chatId)!.model)
  })
})
