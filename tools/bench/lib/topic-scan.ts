/**
 * Reading the pipeline's topics from outside, for the end-to-end benchmark: a streaming read_committed
 * scan (chunks handed to a callback, nothing kept), the offset after each partition's last record,
 * and consumer lag with the groups' committed offsets. Joins no group and commits nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type ConsumedRecord,
  createAdmin,
  createConsumer,
  DEFAULT_FETCH_MAX_BYTES,
  groupSettings,
  type PartitionOffset,
  PlatformaticConsumer,
} from '@healthstream/shared/kafka'
import { type GroupTopic, OffsetsProbe } from '@healthstream/testkit/stack'

const SETTINGS = groupSettings({ rebalanceTimeoutMs: 30_000 })

/** One client set for a benchmark run's reads from outside the pipeline. */
export class TopicReader {
  readonly #config: { bootstrapBrokers: string[]; clientId: string }
  readonly #offsets: OffsetsProbe
  readonly #port: PlatformaticConsumer

  constructor(brokers: string) {
    this.#config = { bootstrapBrokers: [brokers], clientId: 'healthstream-bench-e2e' }
    this.#offsets = new OffsetsProbe([brokers], 'healthstream-bench-e2e-offsets')
    const portConsumer = createConsumer({ ...this.#config, groupId: 'healthstream-bench-e2e-unused' })
    this.#port = new PlatformaticConsumer(portConsumer, createAdmin(this.#config), SETTINGS)
  }

  /** Last stable offset (read_committed end) of every partition of each topic; absent topics left out. */
  ends(topics: readonly string[]): Promise<Map<string, bigint[]>> {
    return this.#offsets.ends(topics)
  }

  /** Committed offsets per `group topic`, per partition (-1 when the group has none). */
  async committed(groups: readonly GroupTopic[]): Promise<Map<string, number[]>> {
    const committed = await this.#offsets.committed(groups)
    return new Map([...committed].map(([key, offsets]) => [key, offsets.map(Number)]))
  }

  /**
   * The offset after the last record of each partition (what a drained reader has reached; the end
   * offset itself may count a transaction marker after it). Reads only the tail of each partition.
   */
  async lastRecordOffsets(topic: string): Promise<Map<number, bigint>> {
    const ends = (await this.ends([topic])).get(topic) ?? []
    const out = new Map<number, bigint>()
    for (const [partition, end] of ends.entries()) {
      if (end === 0n) continue
      for (let back = 16n; ; back *= 8n) {
        const from = end > back ? end - back : 0n
        let last = -1n
        await this.scan([{ topic, partition, offset: from }], new Map([[partition, end]]), (records) => {
          for (const r of records) if (r.offset > last) last = r.offset
        })
        if (last >= 0n || from === 0n) {
          if (last >= 0n) out.set(partition, last + 1n)
          break
        }
      }
    }
    return out
  }

  /** Every record of `topic` up to its current read_committed end, in chunks, partition order kept. */
  async scanTopic(
    topic: string,
    onRecords: (records: ConsumedRecord[]) => Promise<void> | void,
    maxBytes = DEFAULT_FETCH_MAX_BYTES,
  ) {
    const ends = (await this.ends([topic])).get(topic) ?? []
    const starts = await this.#offsets.starts(topic)
    const positions = starts.map((offset, partition) => ({ topic, partition, offset }))
    await this.scan(positions, new Map(ends.map((e, p) => [p, e])), onRecords, maxBytes)
  }

  async scan(
    from: readonly PartitionOffset[],
    ends: ReadonlyMap<number, bigint>,
    onRecords: (records: ConsumedRecord[]) => Promise<void> | void,
    maxBytes = DEFAULT_FETCH_MAX_BYTES,
  ): Promise<void> {
    const before = (p: { partition: number; offset: bigint }) => p.offset < (ends.get(p.partition) ?? 0n)
    let positions = from.filter(before)
    let idle = 0
    while (positions.length > 0) {
      const result = await this.#port.fetch(positions, { maxWaitMs: 100, maxBytes })
      const records = result.records.filter(before)
      if (records.length > 0) await onRecords(records)
      const next = new Map(result.next.map((n) => [`${n.topic}:${n.partition}`, n]))
      const moved = positions.map((p) => next.get(`${p.topic}:${p.partition}`) ?? p)
      idle = moved.every((p, i) => p.offset === positions[i]!.offset) ? idle + 1 : 0
      if (idle > 100) throw new Error(`reading ${from[0]?.topic} made no progress`)
      if (idle > 0) await sleep(50)
      positions = moved.filter(before)
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#offsets.close(), this.#port.close()])
  }
}
