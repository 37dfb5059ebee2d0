import { type Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'
import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import { DEFAULT_FETCH_MAX_BYTES } from './loop-options.ts'
import type { KafkaConnectionConfig } from './platformatic.ts'
import { createGroupConsumer } from './platformatic.ts'
import type { ConsumedRecord, PartitionOffset } from './ports.ts'
import { partitionKey } from './ports.ts'

/**
 * Every record of `topic` a read_committed reader sees, from the log start up to the last stable offset
 * at the time of the call, partition by partition in offset order. Joins no group and commits nothing:
 * meant for tests, checks and tools, not for services.
 */
export async function readCommittedTopic(
  config: KafkaConnectionConfig,
  topic: string,
  timeoutMs = 30_000,
  settleMs = 2_000,
): Promise<ConsumedRecord[]> {
  // The group is never joined (no subscribe): its settings and offsets stay unused
  const { client: consumer, port } = createGroupConsumer({
    ...config,
    groupId: `${config.clientId}-reader-unused`,
  })
  try {
    const ends = await settledEnds(consumer, topic, settleMs)
    const starts = await consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.EARLIEST })
    const end = new Map(
      (ends.get(topic) ?? []).map((offset, partition) => [partitionKey(topic, partition), offset]),
    )
    const before = (p: { topic: string; partition: number; offset: bigint }): boolean =>
      p.offset < (end.get(partitionKey(p.topic, p.partition)) ?? 0n)
    let positions: PartitionOffset[] = (starts.get(topic) ?? []).map((offset, partition) => ({
      topic,
      partition,
      offset,
    }))
    const records: ConsumedRecord[] = []
    const deadline = Date.now() + timeoutMs
    for (positions = positions.filter(before); positions.length > 0; positions = positions.filter(before)) {
      if (Date.now() > deadline)
        throw new KafkaLoopError(KafkaErrorCode.TRANSIENT, `reading ${topic} timed out`)
      const result = await port.fetch(positions, { maxWaitMs: 100, maxBytes: DEFAULT_FETCH_MAX_BYTES })
      for (const record of result.records) if (before(record)) records.push(record)
      const next = new Map(result.next.map((n) => [partitionKey(n.topic, n.partition), n]))
      positions = positions.map((p) => next.get(partitionKey(p.topic, p.partition)) ?? p)
    }
    return records.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1))
  } finally {
    await port.close()
  }
}

type Ends = Map<string, bigint[]>

/**
 * The last stable offsets, once they caught up with the high watermarks or `settleMs` passed. A
 * commit returns before the broker has written its transaction markers, so right after a commit the
 * last stable offset may still stand before the committed records; a transaction that stays open
 * keeps it there, and then the records before it are all a read_committed reader may see.
 */
async function settledEnds(consumer: Consumer, topic: string, settleMs: number): Promise<Ends> {
  const deadline = Date.now() + settleMs
  for (;;) {
    const stable = await consumer.listOffsets({
      topics: [topic],
      timestamp: ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
    const high = await consumer.listOffsets({ topics: [topic], timestamp: ListOffsetTimestamps.LATEST })
    const same = (high.get(topic) ?? []).every((h, i) => stable.get(topic)?.[i] === h)
    if (same || Date.now() >= deadline) return stable
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
