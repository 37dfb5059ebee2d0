import type { Micros } from '@healthstream/shared/domain'
import type { ConsumedRecord, GroupSession, Transform } from '@healthstream/shared/kafka'
import { WatermarkMarker } from './marks.ts'
import { canAnchor, commitPartition, decodeRecords, preparePartition } from './partition.ts'
import { commitTick, tickPartition } from './tick.ts'
import type { AggregatorDeps, AggregatorStatus } from './types.ts'
import { NO_WATERMARK, partitionWatermark, UNBOUNDED, WatermarkTracker } from './windows/watermark.ts'

/**
 * The aggregator's side of the exactly-once hop: validated samples → window rows on
 * `health-data-aggregates` and TOO_LATE dead letters, with the window state in the `AggregateStore`.
 *
 * Per batch and partition (see partition.ts): one atomic read, pure pre-aggregation and window
 * logic, one atomic conditional write that records the offsets and the outputs. A batch the loop
 * retries (its transaction aborted after the write) finds its offsets applied and gets the stored
 * outputs back instead of counting again.
 *
 * Every batch also fires, for the assigned partitions without records in it, the windows the new
 * instance watermark made due ("ticks", see tick.ts), so a partition whose data ran out is closed
 * by the others' progress. Idleness is processing time since a partition last delivered records (or
 * since it was assigned): an idle partition neither holds the others back nor its own windows (they
 * fire by the others' watermark; its later data is late, or too late, accordingly).
 *
 * Quiet input: the loop calls the transform only with records, so while no partition delivers anything
 * nothing fires, not even windows the instance watermark has passed or that idleness would release;
 * they fire with the next records of any assigned partition (as in Kafka Streams, where event-time
 * punctuation also needs input). In particular, right after assignment partitions without data hold
 * the watermark at "none" for the idle timeout: a backlog processed faster than that fires nothing
 * until more input arrives.
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
  /** Firing watermark each partition's windows are known to have fired by (no timer due at or below). */
  readonly #fired = new Map<number, Micros>()
  /** Watermark marks after each batch (marks.ts). */
  readonly #marker: WatermarkMarker

  constructor(deps: AggregatorDeps) {
    this.#deps = deps
    this.#tracker = new WatermarkTracker(deps.spec.idleTimeout)
    this.#marker = new WatermarkMarker({ topic: deps.aggregatesTopic, partitions: deps.watermarkMarks ?? 0 })
  }

  /** The transform for `TransactionalLoop`. */
  readonly transform: Transform = async (records, context) => {
    await this.#claim(context.session)
    this.#marker.batch(offsetRanges(records), this.#tracker.partitions)
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
    const prepared = await Promise.all(
      partitions.map(({ partition, decoded, maxEventTime }) =>
        preparePartition({
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
    // Partitions without records fire what the new instance watermark made due (see tick.ts),
    // carried by the group of one partition of the batch (the anchor)
    const anchor = prepared.filter(canAnchor).sort((a, b) => a.batch.partition - b.batch.partition)[0]
    const inBatch = new Set(partitions.map((p) => p.partition))
    const quiet = anchor
      ? this.#tracker.partitions.filter((p) => !inBatch.has(p) && this.#mayFire(p, now))
      : []
    const checked = await Promise.all(quiet.map((p) => this.#tick(p, now)))
    const ticks = checked.flatMap((c) => (c.tick === null ? [] : [c.tick]))
    const committed = await Promise.all(
      prepared.map((p) => commitPartition(p, p === anchor ? ticks.map((t) => t.partition) : [])),
    )
    if (anchor !== undefined) {
      const from = anchor.batch.records[0]!.offset
      const at = { partition: anchor.batch.partition, from }
      await Promise.all(
        ticks.map((t) => commitTick(deps, t, at, anchor.replayedTicks.get(t.partition) ?? [], now)),
      )
    }
    // Only now, all committed: a failed batch is retried at the same watermark and must look again
    for (const c of checked) this.#fired.set(c.partition, c.fireWatermark)
    prepared.forEach((p, i) => void this.#fired.set(p.batch.partition, committed[i]!.fireWatermark))
    const outputs = [
      ...committed.flatMap((c) => c.outputs),
      ...ticks.flatMap((t) => t.outputs.map((o) => o.record)),
    ]
    // The marks come last: on every aggregates partition they follow the rows they vouch for
    const persisted = new Map([
      ...checked.map((c) => [c.partition, c.persisted] as const),
      ...prepared.map((p, i) => [p.batch.partition, committed[i]!.persisted] as const),
    ])
    return [...outputs, ...this.#marker.marks(persisted)]
  }

  /** Whether the instance watermark may have made timers of `partition` (without records) due. */
  #mayFire(partition: number, now: Micros): boolean {
    const others = this.#tracker.othersWatermark(partition, now)
    const idle = this.#tracker.isIdle(partition, now)
    if (idle && others === UNBOUNDED) return false
    if (this.#deps.spec.earlyFireInterval > 0) return true
    const by = idle ? others : Math.min(this.#tracker.watermark(partition), others)
    return by > (this.#fired.get(partition) ?? NO_WATERMARK)
  }

  async #tick(partition: number, now: Micros) {
    const result = await tickPartition({
      deps: this.#deps,
      partition,
      epoch: this.#epochs.get(partition)!,
      othersWatermark: this.#tracker.othersWatermark(partition, now),
      idle: this.#tracker.isIdle(partition, now),
      now,
    })
    return { partition, ...result }
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
      this.#fired.delete(partition)
      this.#marker.release(partition)
    }
    const now = nowMicros()
    const metas = await Promise.all(assigned.map((p) => store.claim(p, session.generationId, now)))
    assigned.forEach((partition, i) => {
      const meta = metas[i]!
      this.#epochs.set(partition, meta.epoch)
      this.#fired.set(partition, meta.fireWatermark)
      this.#tracker.assign(partition, partitionWatermark(meta.maxEventTime, spec.outOfOrderness), now)
    })
    this.#generation = session.generationId
  }
}

/** First and last offset of each partition in a batch. */
function offsetRanges(records: readonly ConsumedRecord[]): Map<number, { first: bigint; last: bigint }> {
  const out = new Map<number, { first: bigint; last: bigint }>()
  for (const [partition, group] of byPartition(records))
    out.set(partition, { first: group[0]!.offset, last: group.at(-1)!.offset })
  return out
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
