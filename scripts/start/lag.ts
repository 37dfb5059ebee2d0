import { Admin, Consumer, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'

/** Consumer lag per topic of the pipeline's groups: committed end offsets minus committed group offsets. */
export class LagProbe {
  readonly #admin: Admin
  readonly #consumer: Consumer

  constructor(brokers: readonly string[]) {
    const base = { clientId: 'healthstream-start-lag', bootstrapBrokers: [...brokers] }
    this.#admin = new Admin(base)
    this.#consumer = new Consumer({ ...base, groupId: 'healthstream-start-lag-unused' })
  }

  /** `{ group, topic } → lag`; topics or groups that do not exist yet are left out. */
  async lag(groups: readonly { group: string; topic: string }[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>()
    const existing = new Set(await this.#admin.listTopics())
    const topics = [...new Set(groups.map((g) => g.topic))].filter((t) => existing.has(t))
    if (topics.length === 0) return out
    const ends = await this.#consumer.listOffsets({
      topics,
      timestamp: ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
    const committed = await this.#admin.listConsumerGroupOffsets({ groups: groups.map((g) => g.group) })
    for (const { group, topic } of groups) {
      const end = ends.get(topic)
      if (end === undefined) continue
      const offsets = committed.find((c) => c.groupId === group)?.topics.find((t) => t.name === topic)
      let lag = 0n
      end.forEach((endOffset, partition) => {
        const done = offsets?.partitions.find((p) => p.partitionIndex === partition)?.committedOffset ?? 0n
        lag += endOffset - (done < 0n ? 0n : done)
      })
      out.set(`${group} ${topic}`, lag)
    }
    return out
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#admin.close(), this.#consumer.close()])
  }
}
