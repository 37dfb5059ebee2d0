/**
 * The pipeline's Kafka offsets as seen from outside, for the start script's lag line, the benchmarks
 * and the tests' drain checks: each partition's read_committed end, the groups' committed offsets,
 * and the lag between them. Joins no group and commits nothing.
 */

import { createAdmin, createConsumer } from '@healthstream/shared/kafka'
import { type Admin, type Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'

/** A consumer group reading one topic. */
export interface GroupTopic {
  readonly group: string
  readonly topic: string
}

/** The key of a group's topic in the maps below: `"<group> <topic>"`. */
export const groupTopicKey = ({ group, topic }: GroupTopic): string => `${group} ${topic}`

export class OffsetsProbe {
  readonly #admin: Admin
  readonly #consumer: Consumer

  constructor(brokers: readonly string[], clientId: string) {
    const base = { clientId, bootstrapBrokers: [...brokers] }
    this.#admin = createAdmin(base)
    this.#consumer = createConsumer({ ...base, groupId: `${clientId}-unused` })
  }

  /** Last stable offset (read_committed end) of every partition of each topic; absent topics left out. */
  async ends(topics: readonly string[]): Promise<Map<string, bigint[]>> {
    const existing = new Set(await this.#admin.listTopics())
    const present = [...new Set(topics)].filter((t) => existing.has(t))
    if (present.length === 0) return new Map()
    return this.#consumer.listOffsets({
      topics: present,
      timestamp: ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
  }

  /** Log start offset of every partition of `topic` (none when the topic does not exist). */
  async starts(topic: string): Promise<bigint[]> {
    const listed = await this.#consumer.listOffsets({
      topics: [topic],
      timestamp: ListOffsetTimestamps.EARLIEST,
    })
    return listed.get(topic) ?? []
  }

  /** Per group's topic (`groupTopicKey`): each partition's committed offset (-1n or missing: none yet). */
  async committed(pairs: readonly GroupTopic[]): Promise<Map<string, bigint[]>> {
    const out = new Map<string, bigint[]>()
    if (pairs.length === 0) return out
    const groups = [...new Set(pairs.map((p) => p.group))]
    const listed = await this.#admin.listConsumerGroupOffsets({ groups })
    for (const pair of pairs) {
      const partitions = listed
        .find((c) => c.groupId === pair.group)
        ?.topics.find((t) => t.name === pair.topic)
      if (partitions === undefined) continue
      const offsets: bigint[] = []
      for (const p of partitions.partitions) offsets[p.partitionIndex] = p.committedOffset
      out.set(
        groupTopicKey(pair),
        Array.from(offsets, (o) => o ?? -1n),
      )
    }
    return out
  }

  /** Per group's topic: records up to the read_committed end not yet committed by the group. */
  async lag(pairs: readonly GroupTopic[]): Promise<Map<string, bigint>> {
    const [ends, committed] = await Promise.all([this.ends(pairs.map((p) => p.topic)), this.committed(pairs)])
    const out = new Map<string, bigint>()
    for (const pair of pairs) {
      const end = ends.get(pair.topic)
      if (end === undefined) continue
      const done = committed.get(groupTopicKey(pair)) ?? []
      let lag = 0n
      end.forEach((e, p) => {
        const at = done[p] ?? -1n
        lag += e - (at < 0n ? 0n : at)
      })
      out.set(groupTopicKey(pair), lag)
    }
    return out
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#admin.close(), this.#consumer.close()])
  }
}
