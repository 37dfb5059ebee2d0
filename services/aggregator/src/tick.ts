// Ticks: partitions without records in the batch. A window fires when the instance watermark passes
// its end, and that watermark moves with every batch, so after the records are applied every other
// assigned partition whose timers are due by it fires them too, in the same transaction (a "tick").
// A tick moves no offset of its own partition, so it cannot have a group of its own; it belongs to the
// group of one partition of the batch that does store a group starting at the batch's first offset (the
// anchor, `canAnchor`), and shares that group's fate:
//   a. the anchor commits first; its outbox lists the tick's partition among its `tickers`;
//   b. then the tick commits (its own Lua step: window states, timers, watermark, version-checked
//      against its load) together with its outputs under `tick:<anchor>`, tagged with the group's first
//      offset. The partition's own group and outbox are left as they are;
//   c. the anchor's group is replayed (its transaction did not commit) exactly when a batch of the
//      anchor starts at that first offset again: it re-emits its outbox and then, for each ticker, the
//      stored tick with that first offset, byte for byte (`preparePartition`), whoever owns the ticker
//      by then (the read is not fenced). A tick made again within the replayed group appends to it.
//   Crash or failure between a and b: the anchor lists a ticker whose tick carries another first offset
//   (or none); nothing is re-emitted for it and its state did not change, so its windows are still due
//   and fire later. A tick entry is only replaced by a tick anchored at another first offset of the
//   same anchor, i.e. once the anchor's earlier group is settled (committed, or re-emitted by a replay
//   that committed), as for the outbox itself. See docs/exactly-once.md, section 2 (Ticks).
import type { Micros } from '@healthstream/shared/domain'
import { encodeTick, type TaggedOutput } from './outbox.ts'
import { rowOutput } from './outputs.ts'
import type { AggregatorDeps } from './types.ts'
import { applyBatch, type StepResult } from './windows/step.ts'
import type { LoadResult } from './windows/store.ts'
import { NO_WATERMARK } from './windows/watermark.ts'

/** A partition without records in the batch whose due windows fire by the instance watermark. */
export interface Tick {
  readonly partition: number
  readonly epoch: number
  readonly load: LoadResult
  readonly changes: StepResult['changes']
  readonly outputs: readonly TaggedOutput[]
}

/** What `tickPartition` needs besides the dependencies. */
export interface TickRequest {
  readonly deps: AggregatorDeps
  readonly partition: number
  readonly epoch: number
  readonly othersWatermark: Micros
  /** Idle: the partition's own watermark does not hold its windows back. */
  readonly idle: boolean
  readonly now: Micros
}

/**
 * Step 1 and 2 for a partition without records in the batch: its windows due by the instance
 * watermark (or its early firing) and the rows they emit; null when nothing is emitted.
 */
export async function tickPartition(
  request: TickRequest,
): Promise<{ tick: Tick | null; fireWatermark: Micros; persisted: Micros }> {
  const { deps, partition, epoch, now } = request
  const load = await deps.store.load({
    partition,
    epoch,
    ids: [],
    batchMaxEventTime: NO_WATERMARK,
    othersWatermark: request.othersWatermark,
    idle: request.idle,
    outOfOrderness: deps.spec.outOfOrderness,
    earlyFireInterval: deps.spec.earlyFireInterval,
    now,
    firstOffset: -1, // never a group's start: the partition's own outbox is not read
  })
  const { group } = load.meta
  if (group === null || (load.due.length === 0 && (load.dirty ?? []).length === 0)) {
    return { tick: null, fireWatermark: load.fireWatermark, persisted: load.meta.fireWatermark }
  }
  const step = applyBatch({
    spec: deps.spec,
    load,
    deltas: new Map(),
    batchMaxEventTime: NO_WATERMARK,
    group,
    now,
  })
  if (step.emitted.length === 0 && step.changes.cancelTimers.length === 0) {
    return { tick: null, fireWatermark: load.meta.fireWatermark, persisted: load.meta.fireWatermark }
  }
  const outputs = step.emitted.map((state) => rowOutput(deps, state, step.watermark, now))
  return {
    tick: { partition, epoch, load, changes: step.changes, outputs },
    fireWatermark: load.fireWatermark,
    persisted: load.fireWatermark,
  }
}

/**
 * Commits a tick carried by `anchor`'s group starting at `from`, after the anchor's commit listed it.
 * `previous`: the tick's outputs this group already carried (re-emitted by a replay of the group).
 */
export async function commitTick(
  deps: AggregatorDeps,
  tick: Tick,
  anchor: { readonly partition: number; readonly from: number },
  previous: readonly TaggedOutput[],
  now: Micros,
): Promise<void> {
  await deps.store.commit({
    partition: tick.partition,
    epoch: tick.epoch,
    expectedVersion: tick.load.meta.version,
    ...tick.changes,
    tick: { anchor: anchor.partition, data: encodeTick(anchor.from, [...previous, ...tick.outputs]) },
    now,
  })
}
