import * as decoding from 'lib0/decoding'
import { WebSocket } from 'ws'
import * as Y from 'yjs'
import { encodeSyncStep1, encodeUpdate } from '../../sync-server/protocol'

/**
 * A lightweight y-websocket peer for load: it speaks the protocol (sends
 * sync step 1, reads frames) without keeping a document, so one process can
 * hold thousands. Writers keep a Y.Doc to produce real updates.
 */
export class BenchClient {
  ws!: WebSocket
  updates = 0
  onUpdate: ((at: number) => void) | null = null
  closedWith: number | null = null

  connect(url: string): Promise<number> {
    const started = performance.now()
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(url, { perMessageDeflate: false })
      this.ws.binaryType = 'nodebuffer'
      let first = true
      this.ws.on('open', () => this.ws.send(encodeSyncStep1(new Y.Doc())))
      this.ws.on('message', (data: Buffer) => {
        if (first) {
          first = false
          resolve(performance.now() - started)
        }
        const d = decoding.createDecoder(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
        if (decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === 2) {
          this.updates++
          this.onUpdate?.(performance.now())
        }
      })
      this.ws.on('close', (code) => {
        this.closedWith = code
        if (first) reject(new Error(`closed ${code} before the first message`))
      })
      this.ws.on('error', (e) => {
        if (first) reject(e)
      })
    })
  }

  close() {
    this.ws.terminate()
  }
}

/** A writer: each edit is a real Yjs update, stamped with its send time. */
export class BenchWriter extends BenchClient {
  private doc = new Y.Doc()
  sentAt: number[] = []

  edit() {
    let update: Uint8Array | null = null
    const capture = (u: Uint8Array) => (update = u)
    this.doc.once('update', capture)
    this.doc.getText('t').insert(0, 'x')
    this.sentAt.push(performance.now())
    this.ws.send(encodeUpdate(update!))
  }
}
