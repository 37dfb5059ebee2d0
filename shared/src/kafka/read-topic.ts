import { FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'
import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import type { KafkaConnectionConfig } from './platformatic.ts'
import { createAdmin, createConsumer } from './platformatic.ts'
import { PlatformaticConsumer } from './platformatic-consumer.ts'
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
): Promise<ConsumedRecord[]> {
  const consumer = createConsumer({ ...config, groupId: `${config.clientId}-reader-unused` })
  const settings = {
    sessionTimeoutMs: 30_000,
    heartbeatIntervalMs: 3_000,
    rebalanceTimeoutMs: 30_000,
    startFrom: 'earliest',
    rejoinDelayMs: 1_000,
  } as const
  const port = new PlatformaticConsumer(consumer, createAdmin(config), settings, config.connection)
  try {
    const ends = await consumer.listOffsets({
      topics: [topic],
      timestamp: ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
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
      const result = await port.fetch(positions, { maxWaitMs: 100, maxBytes: 8 * 1024 * 1024 })
      for (const record of result.records) if (before(record)) records.push(record)
      const next = new Map(result.next.map((n) => [partitionKey(n.topic, n.partition), n]))
      positions = positions.map((p) => next.get(partitionKey(p.topic, p.partition)) ?? p)
    }
    return records.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : 1))
  } finally {
    await port.close()
  }
}
