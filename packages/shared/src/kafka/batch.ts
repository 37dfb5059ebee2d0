import { KafkaErrorCode, KafkaLoopError } from './errors.ts'
import type { ConsumedRecord, GroupSession, PartitionOffset, TopicPartition } from './ports.ts'
import { partitionKey } from './ports.ts'

/**
 * The offsets to commit after processing `records`: per partition, one past the highest offset seen
 * (Kafka commits the position of the next record to read, not the last one read).
 */
export function nextOffsets(records: readonly ConsumedRecord[]): PartitionOffset[] {
  const next = new Map<string, PartitionOffset>()
  for (const { topic, partition, offset } of records) {
    const key = partitionKey(topic, partition)
    const current = next.get(key)
    if (current === undefined || offset >= current.offset)
      next.set(key, { topic, partition, offset: offset + 1n })
  }
  return [...next.values()].sort(byTopicPartition)
}

/** Orders partitions by topic, then partition number, so logs and commits are deterministic. */
export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1
}

/** Partitions present in `records` that are not in `assignment` (a batch must never have any). */
export function foreignPartitions(
  records: readonly ConsumedRecord[],
  assignment: readonly TopicPartition[],
): TopicPartition[] {
  const owned = new Set(assignment.map((tp) => partitionKey(tp.topic, tp.partition)))
  const foreign = new Map<string, TopicPartition>()
  for (const { topic, partition } of records) {
    const key = partitionKey(topic, partition)
    if (!owned.has(key)) foreign.set(key, { topic, partition })
  }
  return [...foreign.values()]
}

/** Records of a partition not assigned under the session must never reach a transaction. */
export function assertOwned(records: readonly ConsumedRecord[], session: GroupSession): void {
  const foreign = foreignPartitions(records, session.assignment)
  if (foreign.length === 0) return
  const names = foreign.map((tp) => `${tp.topic}[${tp.partition}]`).join(', ')
  throw new KafkaLoopError(KafkaErrorCode.REBALANCED, `batch holds unassigned partitions ${names}`)
}

/**
 * Throws when the batch read under `session` may no longer be committed: STOPPED when a stop ran out
 * of time (`signal` aborted while stopping), REBALANCED when the generation is over.
 */
export function assertCommittable(
  session: GroupSession,
  signal: AbortSignal,
  stopping: boolean,
  current: boolean,
): void {
  if (stopping && signal.aborted) {
    throw new KafkaLoopError(KafkaErrorCode.STOPPED, 'stopping: the open batch is aborted', {
      canRetry: true,
    })
  }
  if (signal.aborted || !current) {
    throw new KafkaLoopError(KafkaErrorCode.REBALANCED, `group generation ${session.generationId} is over`)
  }
}
