/**
 * The Kafka side of reconciliation: the log start and last stable offset of every partition of the
 * input topics, and bounded read_committed scans that return the offsets of the committed records in
 * a stretch (markers and aborted records are what the scan leaves out, so counting them is exact).
 * Its own client, no group joined: the loop's consumer and its positions are never touched.
 */
import {
  type ConsumerPort,
  createGroupConsumer,
  DEFAULT_FETCH_MAX_BYTES,
  type KafkaConnectionConfig,
  partitionKey,
} from '@healthstream/shared/kafka'
import { FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'
import { type LogEdges, type ScanRequest, type ScanResult, smaller } from './reconcile-report.ts'

/** What reconciliation reads from Kafka. */
export interface TopicLog {
  /** Log start and LSO of every partition of the topics. */
  edges(topics: readonly string[]): Promise<LogEdges[]>
  /** The committed records' offsets of each stretch, at most `limit` per stretch, within `timeoutMs`. */
  scan(requests: readonly ScanRequest[], limit: number, timeoutMs: number): Promise<ScanResult[]>
  close(): Promise<void>
}

/** Kafka could not answer a reconciliation; ask again (the report is computed afresh each time). */
export class ReconcileKafkaError extends Error {
  readonly code = 'LAKE_RECONCILE_KAFKA'
  readonly canRetry = true
  constructor(what: string, cause: unknown) {
    super(`reconcile: ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    this.name = 'ReconcileKafkaError'
  }
}

/** A `TopicLog` on its own @platformatic/kafka client (read_committed, the group never joined). */
export function kafkaTopicLog(config: KafkaConnectionConfig & { readonly groupId: string }): TopicLog {
  const { client, port } = createGroupConsumer({ ...config, clientId: `${config.clientId}-reconcile` })
  const list = async (topics: readonly string[], timestamp: bigint) =>
    client.listOffsets({
      topics: [...topics],
      timestamp,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
  return {
    async edges(topics) {
      try {
        const [starts, ends] = await Promise.all([
          list(topics, ListOffsetTimestamps.EARLIEST),
          list(topics, ListOffsetTimestamps.LATEST),
        ])
        return topics.flatMap((topic) =>
          (ends.get(topic) ?? []).map((end, partition) => ({
            topic,
            partition,
            start: starts.get(topic)?.[partition] ?? 0n,
            end,
          })),
        )
      } catch (error) {
        throw new ReconcileKafkaError('listing offsets', error)
      }
    },
    scan: (requests, limit, timeoutMs) =>
      scanCommitted(port, requests, limit, timeoutMs).catch((error: unknown) => {
        throw new ReconcileKafkaError('reading the topics', error)
      }),
    close: () => port.close(),
  }
}

interface Cursor {
  readonly request: ScanRequest
  readonly offsets: bigint[]
  position: bigint
}

/**
 * Reads every stretch from `from` until `end`, keeping the offsets of the records (read_committed:
 * committed data records only). A stretch stops early at `limit` records or when `timeoutMs` is up;
 * its `reached` then says how far it got.
 */
export async function scanCommitted(
  consumer: Pick<ConsumerPort, 'fetch'>,
  requests: readonly ScanRequest[],
  limit: number,
  timeoutMs: number,
): Promise<ScanResult[]> {
  const cursors = new Map<string, Cursor>(
    requests.map((r) => [partitionKey(r.topic, r.partition), { request: r, offsets: [], position: r.from }]),
  )
  const open = () =>
    [...cursors.values()].filter((c) => c.position < c.request.end && c.offsets.length < limit)
  const deadline = Date.now() + timeoutMs
  for (let reading = open(); reading.length > 0 && Date.now() < deadline; reading = open()) {
    const positions = reading.map((c) => ({ ...c.request, offset: c.position }))
    const result = await consumer.fetch(positions, { maxWaitMs: 100, maxBytes: DEFAULT_FETCH_MAX_BYTES })
    for (const r of result.records) {
      const c = cursors.get(partitionKey(r.topic, r.partition))
      if (c === undefined || r.offset < c.position || r.offset >= c.request.end) continue
      if (c.offsets.length >= limit) continue
      c.offsets.push(r.offset)
    }
    for (const n of result.next) {
      const c = cursors.get(partitionKey(n.topic, n.partition))
      if (c === undefined) continue
      const full = c.offsets.length >= limit
      // A stretch cut short by the limit got as far as just past its last counted record
      c.position = full ? c.offsets.at(-1)! + 1n : larger(n.offset, c.position)
    }
  }
  return [...cursors.values()].map((c) => ({
    topic: c.request.topic,
    partition: c.request.partition,
    offsets: c.offsets,
    reached: smaller(c.position, c.request.end),
  }))
}

function larger(a: bigint, b: bigint): bigint {
  if (b > a) return b
  return a
}
