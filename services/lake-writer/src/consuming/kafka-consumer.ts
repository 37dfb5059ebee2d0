/**
 * The Kafka side of the lake-writer: a group member for partition assignment and fetching, nothing
 * more. Positions come from the tables, never from the group's committed offsets; the group is told
 * the lake's position after each commit only so that lag monitoring works.
 */
import {
  type ConsumerPort,
  createGroupConsumer,
  type GroupConsumerConfig,
  type PartitionOffset,
  type TopicPartition,
} from '@healthstream/shared/kafka'
import { FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'

/** What the lake loop needs from a consumer. */
export interface LakeConsumer
  extends Pick<ConsumerPort, 'subscribe' | 'session' | 'isCurrent' | 'onSession' | 'fetch' | 'close'> {
  /** The first offset of each partition still in the log (where a table that recorded nothing starts). */
  logStartOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  /** Commits positions to the group for lag monitoring; best effort, never read back. */
  reportProgress(positions: readonly PartitionOffset[]): Promise<void>
}

/** A `LakeConsumer` on @platformatic/kafka: read_committed, no autocommit, the pipeline's group settings. */
export function createLakeConsumer(config: GroupConsumerConfig): LakeConsumer {
  const { client, port } = createGroupConsumer(config)
  return {
    subscribe: (topics) => port.subscribe(topics),
    session: () => port.session(),
    isCurrent: (s) => port.isCurrent(s),
    onSession: (l) => port.onSession(l),
    fetch: (positions, options) => port.fetch(positions, options),
    close: () => port.close(),
    async logStartOffsets(partitions) {
      const topics = [...new Set(partitions.map((p) => p.topic))]
      const listed = await client.listOffsets({
        topics,
        timestamp: ListOffsetTimestamps.EARLIEST,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      })
      return partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: listed.get(topic)?.[partition] ?? 0n,
      }))
    },
    async reportProgress(positions) {
      await client.commit({ offsets: positions.map((p) => ({ ...p, leaderEpoch: -1 })) })
    },
  }
}
