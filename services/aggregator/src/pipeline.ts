import type { AvroDeserializer, AvroSerializer } from '@healthstream/shared/avro'
import {
  type AggregateRecord,
  type AggregateStore,
  type AggregationSpec,
  type ErrorRecord,
  type Micros,
  NO_WATERMARK,
  partitionWatermark,
  type ReplayMode,
  type ValidatedSample,
  WatermarkTracker,
} from '@healthstream/shared/domain'
import type { ConsumedRecord, GroupSession, Transform } from '@healthstream/shared/kafka'
import { aggregatePartition, decodeRecords } from './partition.ts'

/** What the aggregator transform needs; built in main.ts, or in memory by tests. */
export interface AggregatorDeps {
  readonly decoder: AvroDeserializer<ValidatedSample>
  readonly aggregates: AvroSerializer<AggregateRecord>
  readonly errors: AvroSerializer<ErrorRecord>
  readonly inputTopic: string
  readonly aggregatesTopic: string
  readonly errorsTopic: string
  readonly store: AggregateStore
  readonly spec: AggregationSpec
  readonly nowMicros: () => Micros
  /** Told about every dead letter produced (also re-produced ones of a replay), for metrics. */
  readonly onDeadLetter?: (reason: string) => void
  /** Told how each partition's share of a batch was applied (for metrics and tests). */
  readonly onBatch?: (info: BatchInfo) => void
}

/** How one partition's share of a batch was applied. */
export interface BatchInfo {
  readonly partition: number
  /** `replay`: the batch redid an applied group whose transaction did not commit (see `replayPlan`). */
  readonly mode: ReplayMode
  readonly records: number
  /** Records applied now (the others were applied by an earlier attempt). */
  readonly applied: number
  /** Outputs produced again from the stored outbox. */
  readonly reemitted: number
}

/** What an operator sees under /admin/status. */
export interface AggregatorStatus {
  readonly generation: number | null
  readonly partitions: readonly number[]
  readonly idlePartitions: readonly number[]
  readonly instanceWatermark: string | null
}

/**
 * The aggregator's side of the exactly-once hop: validated samples → window rows on
 * `health-data-aggregates` and TOO_LATE dead letters, with the window state in the `AggregateStore`.
 *
 * Per batch and partition (see `aggregatePartition`): one atomic read, pure pre-aggregation and window
 * logic, one atomic conditional write that records the offsets and the outputs. A batch the loop
 * retries (its transaction aborted after the write) finds its offsets applied and gets the stored
 * outputs back instead of counting again.
 *
 * Ownership: at start and at each new consumer-group generation the assigned partitions are claimed
 * in the store; each claim takes a new epoch, the fencing token of this instance's loads and commits
 * (a previous owner's late writes are refused), their watermarks resume from the store, and revoked
 * partitions are released.
 */
export class Aggregator {
  readonly #deps: AggregatorDeps
  readonly #tracker: WatermarkTracker
  #generation: number | null = null
  /** Epoch of this instance's claim, per assigned partition. */
  readonly #epochs = new Map<number, number>()

  constructor(deps: AggregatorDeps) {
    this.#deps = deps
    this.#tracker = new WatermarkTracker(deps.spec.idleTimeout)
  }

  /** The transform for `TransactionalLoop`. */
  readonly transform: Transform = async (records, context) => {
    await this.#claim(context.session)
    const deps = this.#deps
    const now = deps.nowMicros()
    const partitions = await Promise.all(
      [...byPartition(records)].map(async ([partition, batch]) => ({
        partition,
        ...(await decodeRecords(deps, batch, now)),
      })),
    )
    // Every partition's watermark after this batch is known before any fires: how partitions happen
    // to share a batch must not hold one back by another's stale watermark
    for (const { partition, maxEventTime } of partitions) {
      this.#tracker.observe(partition, partitionWatermark(maxEventTime, deps.spec.outOfOrderness), now)
    }
    const outputs = await Promise.all(
      partitions.map(({ partition, decoded, maxEventTime }) =>
        aggregatePartition({
          deps,
          tracker: this.#tracker,
          partition,
          epoch: this.#epochs.get(partition)!,
          records: decoded,
          maxEventTime,
          now,
        }),
      ),
    )
    return outputs.flat()
  }

  status(): AggregatorStatus {
    const now = this.#deps.nowMicros()
    const watermark = this.#tracker.instanceWatermark(now)
    return {
      generation: this.#generation,
      partitions: this.#tracker.partitions,
      idlePartitions: this.#tracker.idle(now),
      instanceWatermark: this.#tracker.partitions.length === 0 ? null : isoOrNull(watermark),
    }
  }

  /** Claims the assigned partitions once per generation; forgets revoked ones. */
  async #claim(session: GroupSession): Promise<void> {
    if (this.#generation === session.generationId) return
    const { store, spec, inputTopic, nowMicros } = this.#deps
    const assigned = session.assignment.filter((tp) => tp.topic === inputTopic).map((tp) => tp.partition)
    for (const partition of this.#tracker.partitions) {
      if (assigned.includes(partition)) continue
      this.#tracker.release(partition)
      this.#epochs.delete(partition)
    }
    const now = nowMicros()
    const metas = await Promise.all(assigned.map((p) => store.claim(p, session.generationId, now)))
    assigned.forEach((partition, i) => {
      const meta = metas[i]!
      this.#epochs.set(partition, meta.epoch)
      this.#tracker.assign(partition, partitionWatermark(meta.maxEventTime, spec.outOfOrderness), now)
    })
    this.#generation = session.generationId
  }
}

/** Records grouped by partition, each group in offset order (as the loop delivers them). */
function byPartition(records: readonly ConsumedRecord[]): Map<number, ConsumedRecord[]> {
  const groups = new Map<number, ConsumedRecord[]>()
  for (const record of records) {
    const group = groups.get(record.partition)
    if (group) group.push(record)
    else groups.set(record.partition, [record])
  }
  return groups
}

function isoOrNull(micros: Micros): string | null {
  return micros === NO_WATERMARK ? null : new Date(micros / 1000).toISOString()
}
