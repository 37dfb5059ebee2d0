/**
 * The Kafka side of the lake-writer: a group member for partition assignment and fetching, nothing
 * more. Positions come from the tables, never from the group's committed offsets; the group is told
 * the lake's position after each commit only so that Kafka's own tools show the writer's lag too.
 */
import {
  type ConsumerPort,
  createGroupConsumer,
  type GroupConsumerConfig,
  type LogOffsetsPort,
  type PartitionOffset,
  partitionKey,
  type TopicPartition,
} from '@healthstream/shared/kafka'

/** What the lake loop needs from a consumer. */
export interface LakeConsumer
  extends Pick<ConsumerPort, 'subscribe' | 'session' | 'isCurrent' | 'onSession' | 'fetch' | 'close'> {
  /** The first offset of each partition still in the log (where a table that recorded nothing starts). */
  logStartOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]>
  /** Commits positions to the group for lag monitoring; best effort, never read back. */
  reportProgress(positions: readonly PartitionOffset[]): Promise<void>
}

/**
 * A `LakeConsumer` on @platformatic/kafka: read_committed, no autocommit, the pipeline's group settings;
 * also the read_committed log offsets the lag metric needs.
 */
export function createLakeConsumer(config: GroupConsumerConfig): LakeConsumer & LogOffsetsPort {
  const { client, port } = createGroupConsumer(config)
  return {
    subscribe: (topics) => port.subscribe(topics),
    session: () => port.session(),
    isCurrent: (s) => port.isCurrent(s),
    onSession: (l) => port.onSession(l),
    fetch: (positions, options) => port.fetch(positions, options),
    close: () => port.close(),
    logOffsets: (partitions, edge) => port.logOffsets(partitions, edge),
    async logStartOffsets(partitions) {
      const listed = await port.logOffsets(partitions, 'earliest')
      const start = new Map(listed.map((p) => [partitionKey(p.topic, p.partition), p.offset]))
      return partitions.map(({ topic, partition }) => ({
        topic,
        partition,
        offset: start.get(partitionKey(topic, partition)) ?? 0n,
      }))
    },
    async reportProgress(positions) {
      await client.commit({ offsets: positions.map((p) => ({ ...p, leaderEpoch: -1 })) })
    },
  }
}
