/**
 * The sync server's counters, rendered in the Prometheus text format at
 * GET /metrics.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'

const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]

export class SyncMetrics {
  connectionsOpened = 0
  openConnections = 0
  openRooms = 0
  messagesIn = 0
  messagesOut = 0
  droppedViewerUpdates = 0
  droppedAwareness = 0
  refusedSidekiqs = 0
  undoneSidekiqChanges = 0
  authRefusals = new Map<number, number>()
  closes = new Map<number, number>()
  private persistBuckets = new Array<number>(LATENCY_BUCKETS_MS.length).fill(0)
  private persistCount = 0
  private persistSumMs = 0
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 })

  constructor() {
    this.loopDelay.enable()
  }

  /** Stops the event-loop sampler (the server is closing). */
  dispose() {
    this.loopDelay.disable()
  }

  refused(code: number) {
    this.authRefusals.set(code, (this.authRefusals.get(code) ?? 0) + 1)
  }

  closed(code: number) {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1)
  }

  persisted(ms: number) {
    this.persistCount++
    this.persistSumMs += ms
    LATENCY_BUCKETS_MS.forEach((b, i) => {
      if (ms <= b) this.persistBuckets[i]++
    })
  }

  render(): string {
    const lines: string[] = []
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`)
    }
    metric('sync_connections_total', 'counter', 'Connections accepted after authorization.', [
      ['', this.connectionsOpened],
    ])
    metric('sync_connections', 'gauge', 'Open connections.', [['', this.openConnections]])
    metric('sync_rooms', 'gauge', 'Rooms held in memory.', [['', this.openRooms]])
    metric('sync_messages_in_total', 'counter', 'Messages received.', [['', this.messagesIn]])
    metric('sync_messages_out_total', 'counter', 'Messages sent.', [['', this.messagesOut]])
    metric('sync_dropped_viewer_updates_total', 'counter', 'Document updates from viewers, dropped.', [
      ['', this.droppedViewerUpdates],
    ])
    metric('sync_refused_sidekiqs_total', 'counter', 'Sidekiqs added beyond the plan, taken out again.', [
      ['', this.refusedSidekiqs],
    ])
    metric(
      'sync_undone_sidekiq_changes_total',
      'counter',
      'Sidekiq changes undone because their author may not make them (decision 013).',
      [['', this.undoneSidekiqChanges]],
    )
    metric('sync_dropped_awareness_total', 'counter', 'Awareness updates for client ids the sender does not own.', [
      ['', this.droppedAwareness],
    ])
    metric(
      'sync_auth_refusals_total',
      'counter',
      'Connections refused at authorization, by close code.',
      [...this.authRefusals].map(([code, n]) => [`{code="${code}"}`, n]),
    )
    metric(
      'sync_closes_total',
      'counter',
      'Connections closed by the server, by close code.',
      [...this.closes].map(([code, n]) => [`{code="${code}"}`, n]),
    )
    lines.push(
      '# HELP sync_persist_latency_ms Time to append an update to the database.',
      '# TYPE sync_persist_latency_ms histogram',
    )
    LATENCY_BUCKETS_MS.forEach((b, i) =>
      lines.push(`sync_persist_latency_ms_bucket{le="${b}"} ${this.persistBuckets[i]}`),
    )
    lines.push(`sync_persist_latency_ms_bucket{le="+Inf"} ${this.persistCount}`)
    lines.push(`sync_persist_latency_ms_sum ${this.persistSumMs}`, `sync_persist_latency_ms_count ${this.persistCount}`)
    const memory = process.memoryUsage()
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', [['', memory.rss]])
    metric('nodejs_heap_size_total_bytes', 'gauge', 'V8 heap reserved.', [['', memory.heapTotal]])
    metric('nodejs_heap_size_used_bytes', 'gauge', 'V8 heap in use.', [['', memory.heapUsed]])
    metric('nodejs_external_memory_bytes', 'gauge', 'Memory held outside the V8 heap (buffers).', [
      ['', memory.external],
    ])
    // Since the last scrape: a stalled loop delays every room on the node.
    metric(
      'nodejs_eventloop_delay_ms',
      'summary',
      'Event loop delay since the previous scrape.',
      [0.5, 0.99].map((q) => [`{quantile="${q}"}`, this.loopDelay.percentile(q * 100) / 1e6]),
    )
    // The maximum too: a percentile hides a rare long stall (an 11 s stall
    // once read as a p99 of 0.0005 ms), and one stall holds every room.
    metric('nodejs_eventloop_delay_max_ms', 'gauge', 'Longest event loop delay since the previous scrape.', [
      ['', this.loopDelay.max / 1e6],
    ])
    this.loopDelay.reset()
    return lines.join('\n') + '\n'
  }
}
