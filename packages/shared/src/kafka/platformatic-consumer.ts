import type { Admin, ClusterMetadata, Consumer, ConsumerGroupJoinPayload } from '@platformatic/kafka'
import { ConnectionPool, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka'
import { byTopicPartition } from './batch.ts'
import { failedOnInflateLimit, fetchBounded } from './bounded-fetch.ts'
import { limitInflatedBatches } from './inflate-guard.ts'
import type { LogEdge, LogOffsetsPort } from './lag.ts'
import { classifyKafkaError, hasKafkaError } from './platformatic-errors.ts'
import { decodeResponse, fetchRequest, groupByLeader, groupByTopic } from './platformatic-fetch.ts'
import type {
  ConsumerPort,
  FetchOptions,
  FetchResult,
  GroupSession,
  PartitionOffset,
  TopicPartition,
} from './ports.ts'
import { partitionKey } from './ports.ts'

/** Group timing and where a group without committed offsets starts. */
export interface GroupSettings {
  /** A member silent this long is removed from the group. */
  readonly sessionTimeoutMs: number
  readonly heartbeatIntervalMs: number
  /** How long the coordinator waits for every member to rejoin during a rebalance. */
  readonly rebalanceTimeoutMs: number
  /** Where a group without committed offsets starts. */
  readonly startFrom: 'earliest' | 'latest'
  /** Delay before rejoining after a background rejoin failed. */
  readonly rejoinDelayMs: number
}

/** The group settings a consumer may choose; the others take the pipeline's defaults (`groupSettings`). */
export type GroupTiming = Partial<Omit<GroupSettings, 'rejoinDelayMs'>>

/**
 * The group settings of every consumer in the pipeline, written once: a 30 s session, a heartbeat
 * every tenth of the session (at least 500 ms), a minute to rebalance, and a group without committed
 * offsets starting from the earliest record (process everything). A tenth of the session leaves room
 * for several lost heartbeats before the coordinator drops the member; the floor keeps a short test
 * session from flooding the coordinator.
 */
export function groupSettings(timing: GroupTiming = {}): GroupSettings {
  const sessionTimeoutMs = timing.sessionTimeoutMs ?? 30_000
  return {
    sessionTimeoutMs,
    heartbeatIntervalMs: timing.heartbeatIntervalMs ?? Math.max(500, Math.floor(sessionTimeoutMs / 10)),
    rebalanceTimeoutMs: timing.rebalanceTimeoutMs ?? 60_000,
    startFrom: timing.startFrom ?? 'earliest',
    rejoinDelayMs: 1_000,
  }
}

/**
 * `ConsumerPort` over a @platformatic/kafka `Consumer` used at the protocol level: the client keeps
 * the group membership (join, sync, heartbeats, rejoin), while positions, fetching and the
 * read_committed filtering stay here, so a rebalance or an abort rewinds exactly to what the group
 * committed and no read-ahead from before survives it. Start offsets come from an `Admin` because only
 * its OffsetFetch can ask for `require_stable` (KIP-447: wait for offsets of pending transactions).
 * The client inflates fetched batches within a bound (`limitInflatedBatches`); a fetch that fails on a
 * batch beyond it is read again by `fetchBounded`, which hands out a record standing for that batch.
 */
export class PlatformaticConsumer implements ConsumerPort, LogOffsetsPort {
  readonly #consumer: Consumer
  readonly #admin: Admin
  readonly #settings: GroupSettings
  readonly #fetchPool: ConnectionPool
  readonly #listeners = new Set<(session: GroupSession) => void>()
  #session: GroupSession | undefined
  #rejoining = false
  #rejoinTimer: NodeJS.Timeout | undefined
  #closed = false

  constructor(
    consumer: Consumer,
    admin: Admin,
    settings: GroupSettings,
    connection: ConstructorParameters<typeof ConnectionPool>[1] = {},
  ) {
    this.#consumer = consumer
    this.#admin = admin
    this.#settings = settings
    limitInflatedBatches() // with the bound set last (the default, unless the service set one)
    // Long-polling fetches get their own connections so they never delay heartbeats or offset commits
    this.#fetchPool = new ConnectionPool(`${consumer.clientId}-fetch`, connection)
    consumer.on('consumer:group:join', (payload) => this.#onJoin(payload))
    consumer.on('consumer:group:rebalance', () => {
      this.#rejoining = true
    })
    consumer.on('consumer:group:leave', () => {
      this.#session = undefined
    })
    // The client reports a failed background rejoin as 'error'; without a listener it would crash the process
    consumer.on('error', () => this.#scheduleRejoin())
  }

  /** The underlying client (the producer port needs it to add the group to transactions). */
  get client(): Consumer {
    return this.#consumer
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    this.#consumer.topics.trackAll(...topics)
    try {
      await this.#consumer.joinGroup(this.#groupOptions())
    } catch (error) {
      throw classifyKafkaError(error, 'join group')
    }
  }

  session(): GroupSession | undefined {
    return this.#session
  }

  isCurrent(session: GroupSession): boolean {
    return (
      session === this.#session &&
      !this.#rejoining &&
      this.#consumer.generationId === session.generationId &&
      this.#consumer.memberId === session.memberId
    )
  }

  onSession(listener: (session: GroupSession) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async startOffsets(partitions: readonly TopicPartition[]): Promise<PartitionOffset[]> {
    if (partitions.length === 0) return []
    try {
      const committed = await this.#committed(partitions)
      const missing = partitions.filter((tp) => !committed.has(partitionKey(tp.topic, tp.partition)))
      const fallback = await this.#logOffsets(missing, this.#settings.startFrom)
      return partitions.map(({ topic, partition }) => {
        const key = partitionKey(topic, partition)
        return { topic, partition, offset: committed.get(key) ?? fallback.get(key) ?? 0n }
      })
    } catch (error) {
      throw classifyKafkaError(error, 'read committed offsets')
    }
  }

  /**
   * The read_committed log start (`earliest`) or end (`latest`, the last stable offset) of each
   * partition, for lag monitoring; a partition the broker does not list is left out.
   */
  async logOffsets(partitions: readonly TopicPartition[], edge: LogEdge): Promise<PartitionOffset[]> {
    try {
      const listed = await this.#logOffsets(partitions, edge)
      return partitions.flatMap(({ topic, partition }) => {
        const offset = listed.get(partitionKey(topic, partition))
        return offset === undefined ? [] : [{ topic, partition, offset }]
      })
    } catch (error) {
      throw classifyKafkaError(error, 'list offsets')
    }
  }

  async fetch(positions: readonly PartitionOffset[], options: FetchOptions): Promise<FetchResult> {
    const topics = [...new Set(positions.map((p) => p.topic))]
    try {
      const metadata = await this.#consumer.metadata({ topics })
      const byLeader = groupByLeader(positions, metadata)
      const results = await Promise.all(
        [...byLeader].map(([node, nodePositions]) => this.#fetchFrom(node, nodePositions, metadata, options)),
      )
      return { records: results.flatMap((r) => r.records), next: results.flatMap((r) => r.next) }
    } catch (error) {
      // The topics, so that a refusal (TOPIC_AUTHORIZATION_FAILED) says which it may be
      throw classifyKafkaError(error, `fetch from ${topics.join(', ')}`)
    }
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#rejoinTimer)
    const results = await Promise.allSettled([
      this.#consumer.close(true),
      this.#admin.close(),
      this.#fetchPool.close(),
    ])
    const failed = results.find((r) => r.status === 'rejected')
    if (failed !== undefined) throw classifyKafkaError(failed.reason, 'close consumer')
  }

  async #fetchFrom(
    node: number,
    positions: readonly PartitionOffset[],
    metadata: ClusterMetadata,
    options: FetchOptions,
  ): Promise<FetchResult> {
    const request = fetchRequest(positions, metadata, options.maxBytes)
    try {
      const response = await this.#consumer.fetch({
        node,
        topics: request,
        maxWaitTime: options.maxWaitMs,
        minBytes: 1,
        maxBytes: options.maxBytes,
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        connectionPool: this.#fetchPool,
      })
      return decodeResponse(response, positions, metadata)
    } catch (error) {
      if (failedOnInflateLimit(error)) {
        const clients = { client: this.#consumer, pool: this.#fetchPool }
        return fetchBounded(clients, node, positions, metadata, options)
      }
      if (!hasKafkaError(error, 'OFFSET_OUT_OF_RANGE')) throw error
      // The committed position fell out of retention (or beyond the end): restart from the log start
      const reset = await this.#logOffsets(positions, 'earliest')
      return {
        records: [],
        next: positions.map((p) => ({ ...p, offset: reset.get(partitionKey(p.topic, p.partition)) ?? 0n })),
      }
    }
  }

  /** Committed offsets read with require_stable; a partition the group never committed is absent. */
  async #committed(partitions: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    const topics = groupByTopic(partitions).map(([name, partitionIndexes]) => ({ name, partitionIndexes }))
    const groups = await this.#admin.listConsumerGroupOffsets({
      groups: [{ groupId: this.#consumer.groupId, topics }],
      requireStable: true,
    })
    const committed = new Map<string, bigint>()
    for (const group of groups) {
      for (const topic of group.topics) {
        for (const p of topic.partitions) {
          if (p.committedOffset >= 0n)
            committed.set(partitionKey(topic.name, p.partitionIndex), p.committedOffset)
        }
      }
    }
    return committed
  }

  async #logOffsets(partitions: readonly TopicPartition[], from: LogEdge): Promise<Map<string, bigint>> {
    const offsets = new Map<string, bigint>()
    if (partitions.length === 0) return offsets
    const byTopic = groupByTopic(partitions)
    const listed = await this.#consumer.listOffsets({
      topics: byTopic.map(([topic]) => topic),
      partitions: Object.fromEntries(byTopic),
      timestamp: from === 'earliest' ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    })
    for (const { topic, partition } of partitions) {
      const offset = listed.get(topic)?.[partition]
      if (offset !== undefined) offsets.set(partitionKey(topic, partition), offset)
    }
    return offsets
  }

  #onJoin(payload: ConsumerGroupJoinPayload): void {
    const assignment = (payload.assignments ?? [])
      .flatMap(({ topic, partitions }) => partitions.map((partition) => ({ topic, partition })))
      .sort(byTopicPartition)
    this.#rejoining = false
    this.#session = {
      groupId: payload.groupId,
      memberId: payload.memberId,
      generationId: payload.generationId ?? this.#consumer.generationId,
      assignment,
    }
    for (const listener of this.#listeners) listener(this.#session)
  }

  #scheduleRejoin(): void {
    this.#session = undefined
    if (this.#closed || this.#rejoinTimer !== undefined) return
    this.#rejoinTimer = setTimeout(() => {
      this.#rejoinTimer = undefined
      if (this.#closed) return
      this.#consumer.joinGroup(this.#groupOptions()).catch(() => this.#scheduleRejoin())
    }, this.#settings.rejoinDelayMs)
  }

  #groupOptions() {
    return {
      sessionTimeout: this.#settings.sessionTimeoutMs,
      heartbeatInterval: this.#settings.heartbeatIntervalMs,
      rebalanceTimeout: this.#settings.rebalanceTimeoutMs,
    }
  }
}
