/** Pure helpers of the @platformatic/kafka consumer port: request building and response decoding. */
import type { ClusterMetadata } from '@platformatic/kafka'
import type { ConsumedRecord, FetchResult, PartitionOffset, TopicPartition } from './ports.ts'
import { partitionKey } from './ports.ts'
import type { AbortedTransaction, FetchedBatch } from './read-committed.ts'
import { decodeCommitted } from './read-committed.ts'

/** Partitions grouped by topic, in first-seen order. */
export function groupByTopic(partitions: readonly TopicPartition[]): [string, number[]][] {
  const byTopic = new Map<string, number[]>()
  for (const { topic, partition } of partitions)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition])
  return [...byTopic]
}

/** Positions grouped by the broker leading their partition; leaderless partitions are left out. */
export function groupByLeader(
  positions: readonly PartitionOffset[],
  metadata: ClusterMetadata,
): Map<number, PartitionOffset[]> {
  const byLeader = new Map<number, PartitionOffset[]>()
  for (const position of positions) {
    const leader = metadata.topics.get(position.topic)?.partitions[position.partition]?.leader
    if (leader === undefined || leader < 0) continue // no leader right now: skip it this round
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), position])
  }
  return byLeader
}

/** The topics part of a Fetch request for `positions` (topic ids from the metadata). */
export function fetchRequest(
  positions: readonly PartitionOffset[],
  metadata: ClusterMetadata,
  maxBytes: number,
) {
  return groupByTopic(positions).map(([topic]) => ({
    topicId: metadata.topics.get(topic)!.id,
    partitions: positions
      .filter((p) => p.topic === topic)
      .map((p) => ({
        partition: p.partition,
        fetchOffset: p.offset,
        partitionMaxBytes: maxBytes,
        currentLeaderEpoch: -1,
        lastFetchedEpoch: -1,
      })),
  }))
}

/** The parts of a Fetch response `decodeResponse` reads: the client's, or `parseFetchResponse`'s. */
export interface FetchResponseBody {
  readonly responses: readonly {
    readonly topicId: string
    readonly partitions: readonly FetchedPartition[]
  }[]
}

/** One partition of a Fetch response. */
export interface FetchedPartition {
  readonly partitionIndex: number
  readonly errorCode: number
  readonly abortedTransactions?: readonly AbortedTransaction[] | null
  readonly records?: readonly FetchedBatch[] | null
}

/** Committed records and next positions out of a read_committed Fetch response. */
export function decodeResponse(
  response: FetchResponseBody,
  positions: readonly PartitionOffset[],
  metadata: ClusterMetadata,
): FetchResult {
  const names = new Map([...metadata.topics].map(([name, topic]) => [topic.id, name]))
  const requested = new Map(positions.map((p) => [partitionKey(p.topic, p.partition), p.offset]))
  const records: ConsumedRecord[] = []
  const next: PartitionOffset[] = []
  for (const topicResponse of response.responses) {
    const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId
    for (const p of topicResponse.partitions) {
      const fetchOffset = requested.get(partitionKey(topic, p.partitionIndex))
      // A partition lingering in the incremental fetch session but not asked for now: ignore it
      if (fetchOffset === undefined || !p.records) continue
      const decoded = decodeCommitted(
        topic,
        p.partitionIndex,
        fetchOffset,
        p.records,
        p.abortedTransactions ?? [],
      )
      for (const record of decoded.records) records.push(record)
      if (decoded.next !== undefined && decoded.next > fetchOffset) {
        next.push({ topic, partition: p.partitionIndex, offset: decoded.next })
      }
    }
  }
  return { records, next }
}
