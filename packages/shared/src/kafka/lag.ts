import type { LoopEvent } from './loop-stats.ts'
import type { PartitionOffset, TopicPartition } from './ports.ts'
import { partitionKey } from './ports.ts'

/** Where a partition's log starts, or where a read_committed reader's view of it ends. */
export type LogEdge = 'earliest' | 'latest'

/**
 * What lag monitoring needs from Kafka: ListOffsets with isolation level read_committed. `latest` is
 * the last stable offset (the end a read_committed reader can reach: nothing of an open transaction),
 * `earliest` the log start. A partition the broker does not list is left out of the answer.
 */
export interface LogOffsetsPort {
  logOffsets(partitions: readonly TopicPartition[], edge: LogEdge): Promise<PartitionOffset[]>
}

/** The lag of one owned partition, as of the last refresh. */
export interface PartitionLag extends TopicPartition {
  /** Offsets between `position` and `end`: records still to process, transaction markers included. */
  readonly lag: bigint
  /** The read_committed end (last stable offset). */
  readonly end: bigint
  /** The committed position the lag is measured from (the log start when none is known). */
  readonly position: bigint
}

/**
 * Offsets from `position` to `end`. Never negative: an end read before the position moved past it
 * means no lag, not a negative one.
 */
export function lagOf(end: bigint, position: bigint): bigint {
  return end > position ? end - position : 0n
}

interface Owned extends TopicPartition {
  position: bigint | undefined
}

/**
 * One instance's consumer lag per owned partition: the read_committed end of each partition minus the
 * position this instance has committed for it. Positions come from whoever commits them (`assigned`,
 * `committed`); ends come from Kafka on `refresh`, which the owner runs on an interval, so reading the
 * lag never waits on Kafka. Only owned partitions are reported: summed over the instances of a
 * group, the lag is the group's. A partition given up on a rebalance disappears at once.
 *
 * Counted in offsets, as Kafka's tools count: on a transactional topic, commit markers and aborted
 * records between the position and the end count too, so a caught-up consumer of such a topic still
 * shows the markers after the last record of each partition (usually one; one per producer whose
 * transaction ended there last), which no consumer position passes.
 */
export class ConsumerLag {
  readonly #owned = new Map<string, Owned>()
  #lags = new Map<string, PartitionLag>()

  /**
   * The partitions owned from now on, with the positions committed for them; a partition without a
   * position counts from its log start. Partitions not listed are forgotten, their lag with them.
   */
  assigned(partitions: readonly TopicPartition[], positions: readonly PartitionOffset[]): void {
    const known = new Map(positions.map((p) => [partitionKey(p.topic, p.partition), p.offset]))
    this.#owned.clear()
    for (const { topic, partition } of partitions) {
      const key = partitionKey(topic, partition)
      this.#owned.set(key, { topic, partition, position: known.get(key) })
    }
    this.retain(partitions)
  }

  /**
   * Forgets the owned partitions not in `partitions`: for a new group session, which revokes them at
   * once, even while the loop is paused and takes the new assignment (with its positions) only later.
   */
  retain(partitions: readonly TopicPartition[]): void {
    const kept = new Set(partitions.map((p) => partitionKey(p.topic, p.partition)))
    for (const key of this.#owned.keys()) if (!kept.has(key)) this.#owned.delete(key)
    for (const key of this.#lags.keys()) if (!kept.has(key)) this.#lags.delete(key)
  }

  /** New committed positions; those of partitions not owned (given up meanwhile) are ignored. */
  committed(positions: readonly PartitionOffset[]): void {
    for (const { topic, partition, offset } of positions) {
      const owned = this.#owned.get(partitionKey(topic, partition))
      if (owned !== undefined) owned.position = offset
    }
  }

  /** The transactional loop's events: an assignment brings its start positions, a commit its offsets. */
  onLoopEvent(event: LoopEvent): void {
    if (event.type === 'assigned') this.assigned(event.session.assignment, event.positions)
    else if (event.type === 'committed') this.committed(event.offsets)
    else if (event.type === 'state' && (event.state === 'stopped' || event.state === 'failed'))
      this.assigned([], [])
  }

  /**
   * Reads the ends of the owned partitions (and the log start of those without a position) and
   * recomputes every lag against the positions committed by the time the ends arrived. A partition
   * whose end the broker did not list keeps its last lag. Throws what the port throws.
   */
  async refresh(port: LogOffsetsPort): Promise<void> {
    const partitions = [...this.#owned.values()].map(({ topic, partition }) => ({ topic, partition }))
    if (partitions.length === 0) return
    const unknown = [...this.#owned.values()].filter((o) => o.position === undefined)
    const [ends, starts] = await Promise.all([
      port.logOffsets(partitions, 'latest'),
      unknown.length > 0 ? port.logOffsets(unknown, 'earliest') : [],
    ])
    const startOf = new Map(starts.map((s) => [partitionKey(s.topic, s.partition), s.offset]))
    const lags = new Map<string, PartitionLag>()
    for (const { topic, partition, offset: end } of ends) {
      const key = partitionKey(topic, partition)
      const owned = this.#owned.get(key)
      if (owned === undefined) continue // given up while the ends were read
      const position = owned.position ?? startOf.get(key) ?? 0n
      lags.set(key, { topic, partition, end, position, lag: lagOf(end, position) })
    }
    for (const [key, last] of this.#lags) if (!lags.has(key) && this.#owned.has(key)) lags.set(key, last)
    this.#lags = lags
  }

  /** The lag of each owned partition as of the last refresh (partitions not refreshed yet are absent). */
  get current(): readonly PartitionLag[] {
    return [...this.#lags.values()]
  }
}
