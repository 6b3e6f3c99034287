import {
  cutShort,
  type FakeBehaviour,
  type FakeServer,
  sse,
  startScriptedServer,
  startSse,
  streamChunks,
  type WireProtocol,
} from './fake-openai'

/**
 * A local server speaking Anthropic's Messages wire protocol (JSON and SSE
 * with named events), sharing the scripting of the OpenAI fake.
 */
const anthropic: WireProtocol = {
  async respond(req, behaviour, res) {
    const model = req.body?.model ?? 'unknown'
    const id = 'msg_fake'
    const { inputTokens, outputTokens } = behaviour.usage

    if (!req.body?.stream) {
      if (cutShort(res, behaviour)) return
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text: behaviour.chunks.join('') }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: outputTokens },
        }),
      )
      return
    }

    startSse(res)
    // As the real API does, message_start carries a provisional output count; message_delta has the final one.
    sse(res, 'message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: 1 },
      },
    })
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    })
    sse(res, 'ping', { type: 'ping' })
    const complete = await streamChunks(res, behaviour, (text) =>
      sse(res, 'content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }),
    )
    if (!complete) return
    sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 })
    sse(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: outputTokens },
    })
    sse(res, 'message_stop', { type: 'message_stop' })
    res.end()
  },
  errorBody: (message) => ({ type: 'error', error: { type: 'invalid_request_error', message } }),
}

export function startFakeAnthropic(behaviour?: FakeBehaviour): Promise<FakeServer> {
  return startScriptedServer(anthropic, behaviour)
}
