// One batch of one partition, end to end, in a fixed order:
//
//   1. load    one atomic read (Lua): partition meta (owner's claim epoch, version, last applied group of
//              offsets [from, to], max event time, firing watermark), the windows the batch touches,
//              the windows whose timers are due, and the group's stored outputs (its outbox) when this
//              batch starts at the group's `from`.
//   2. decide  pure (windows/, replay.ts): which records are new (offset > to), the too-late
//              split, one delta per window (pre-aggregation), merge / fire / update / finalise, and the
//              output records (rows and dead letters), serialised.
//   3. commit  one atomic write (Lua), only if the partition is still held by this claim and at
//              the loaded version: window states, timers, meta including the group's offsets, and the
//              group's outputs (the outbox): state and "what this state change emitted" together.
//   4. return  the outputs; the loop writes them and the consumed offsets in one Kafka transaction.
//
// Why that is exactly once, crash by crash (a batch always starts at the partition's committed Kafka
// offset: after a start, a rebalance, an abort or a crash the loop reads from there again):
// - before 3: Redis is untouched; the batch is redone from scratch.
// - after 3, before the Kafka commit (crash, abort, fenced): Redis holds the effects of [from, to] and
//   their outputs, Kafka has neither. The committed offset is still `from`, so the redo starts there:
//   step 1 returns the outbox, step 2 skips every record up to `to` (never counted twice) and the
//   outputs are produced again byte for byte (the clock, the other partitions' watermarks or the early
//   firing timer may have moved; the stored bytes have not), followed by the outputs of records beyond
//   `to`, if any, with which the group grows: its outbox becomes old outputs + new ones.
// - the redo fetched fewer records than the group holds and committed: the whole outbox went out with
//   it, and the next batch starts inside the group: nothing is re-emitted, records up to `to` skipped.
// - after the Kafka commit: the next batch starts past `to`; the outbox is simply replaced.
// - a previous owner still running after a rebalance or a restart (a zombie): the new owner claims
//   the partition before it reads, which takes a new epoch; the zombie's loads and commits carry the
//   old epoch and are refused (FENCED), so it cannot advance the state behind the new owner's back
//   (it would: its batches start at its own position, not the committed one). A claim by an older
//   consumer-group generation than the stored one is refused, so a slow zombie cannot take the
//   partition back either. The version check refuses a commit if anything changed between 1 and 3.
// - Redis restarts: the state is in its AOF. A clean shutdown loses nothing; for a crash of Redis
//   itself to lose nothing, run it with `appendfsync always` (with `everysec` the last second of
//   commits can be lost, and with them the counts the Kafka commits already carried).
//
// Ticks (partitions without records in the batch): see tick.ts. The argument as a whole, with the
// hop's: docs/exactly-once.md, section 2.
import type { DecodeResult } from '@healthstream/shared/avro'
import { type ErrorRecord, errorRecord, type Micros, type ValidatedSample } from '@healthstream/shared/domain'
import type { ConsumedRecord } from '@healthstream/shared/kafka'
import { readReplayMark } from '@healthstream/shared/replay'
import { decodeOutboxWithTickers, decodeTick, encodeOutbox, type TaggedOutput } from './outbox.ts'
import { errorOutput, rowOutput, tooLateError } from './outputs.ts'
import { type ReplayPlan, replayPlan } from './replay.ts'
import type { AggregatorDeps } from './types.ts'
import { type AssignedWindow, applyBatch, assignWindows, planBatch } from './windows/step.ts'
import type { LoadResult, OffsetGroup } from './windows/store.ts'
import { NO_WATERMARK, type WatermarkTracker } from './windows/watermark.ts'

const EMPTY = Buffer.alloc(0)

/** One partition's share of a batch, decoded. */
export interface PartitionBatch {
  readonly deps: AggregatorDeps
  readonly tracker: WatermarkTracker
  readonly partition: number
  /** The epoch of this instance's claim on the partition. */
  readonly epoch: number
  readonly records: readonly Decoded[]
  /** Largest event time among the records (`NO_WATERMARK` without samples). */
  readonly maxEventTime: Micros
  readonly now: Micros
}

/** A consumed record with its offset and either its sample and windows or its dead letter. */
export interface Decoded {
  readonly record: ConsumedRecord
  readonly offset: number
  readonly sample?: ValidatedSample
  readonly windows?: readonly AssignedWindow[]
  readonly error?: ErrorRecord
}

/** Decodes a partition's records and assigns each sample its windows. */
export async function decodeRecords(deps: AggregatorDeps, records: readonly ConsumedRecord[], now: Micros) {
  // Writer schemas first, then every record synchronously: a promise per record was a seventh of the
  // hop's garbage
  await deps.decoder.load(records.map((r) => r.value))
  const decoded: Decoded[] = []
  for (const record of records) {
    const message = record.value ?? EMPTY
    const result = deps.decoder.decodeLoaded(message) ?? (await deps.decoder.decode(message))
    decoded.push(decodedRecord(deps, record, result, now))
  }
  const maxEventTime = decoded.reduce(
    (max, d) => Math.max(max, d.sample?.startTime ?? NO_WATERMARK),
    NO_WATERMARK,
  )
  return { decoded, maxEventTime }
}

/** A partition's share of a batch after step 1 (load) and the replay decision. */
export interface Prepared {
  readonly batch: PartitionBatch
  readonly load: LoadResult
  readonly plan: ReplayPlan
  /** The group's stored outputs when it is replayed, else none. */
  readonly replayed: readonly TaggedOutput[]
  /** The partitions whose ticks the replayed group carried (see tick.ts). */
  readonly tickers: readonly number[]
  /** Their stored outputs, re-emitted with the group. */
  readonly replayedTicks: ReadonlyMap<number, readonly TaggedOutput[]>
  readonly fresh: readonly Decoded[]
}

/** Step 1 and the replay decision; reads the ticks a replayed group carried. */
export async function preparePartition(batch: PartitionBatch): Promise<Prepared> {
  const { deps, partition, epoch, records, now } = batch
  const ids = [...new Set(records.flatMap((d) => d.windows?.map((w) => w.id) ?? []))]
  const first = records[0]!.offset
  const load = await deps.store.load({
    partition,
    epoch,
    ids,
    batchMaxEventTime: batch.maxEventTime,
    othersWatermark: batch.tracker.othersWatermark(partition, now),
    outOfOrderness: deps.spec.outOfOrderness,
    earlyFireInterval: deps.spec.earlyFireInterval,
    now,
    firstOffset: first,
  })
  const plan = replayPlan(load.meta.group, first, records.at(-1)!.offset)
  const stored = plan.reemit && load.outbox !== null ? decodeOutboxWithTickers(load.outbox) : null
  const replayedTicks = new Map<number, TaggedOutput[]>()
  for (const ticker of stored?.tickers ?? []) {
    const data = await deps.store.readTick(ticker, partition)
    const tick = data === null ? null : decodeTick(data)
    // Another `from`: the ticker's commit of this group's tick never happened (its windows are still due)
    if (tick !== null && tick.from === first) replayedTicks.set(ticker, tick.outputs)
  }
  const fresh = records.filter((d) => d.offset > plan.appliedThrough)
  return {
    batch,
    load,
    plan,
    replayed: stored?.outputs ?? [],
    tickers: stored?.tickers ?? [],
    replayedTicks,
    fresh,
  }
}

/** Whether the partition's commit of this batch stores a group starting at the batch's first offset. */
export function canAnchor(prepared: Prepared): boolean {
  return prepared.plan.reemit || prepared.fresh.length > 0
}

/**
 * Steps 2 to 4 of a prepared partition: applies the new records exactly once and returns the outputs
 * to produce (see above). `tickers`: partitions whose ticks this batch carries (this is the anchor).
 */
export async function commitPartition(prepared: Prepared, tickers: readonly number[] = []) {
  const { batch, load, plan, replayed, fresh } = prepared
  const { deps, partition, epoch, records, now } = batch
  const allTickers = [...prepared.tickers, ...tickers.filter((t) => !prepared.tickers.includes(t))]
  const reticked = [...prepared.replayedTicks.values()].flat()
  let own = replayed
  if (fresh.length > 0 || allTickers.length > prepared.tickers.length) {
    const applied = fresh.length > 0 ? decide(batch, load, fresh, plan.nextGroup) : unchanged(batch, load)
    own = [...replayed, ...applied.outputs]
    await deps.store.commit({
      partition,
      epoch,
      expectedVersion: load.meta.version,
      ...applied.changes,
      outbox: encodeOutbox(own, allTickers),
      now,
    })
  }
  const outputs = [...replayed, ...reticked, ...own.slice(replayed.length)]
  const info = { partition, mode: plan.mode, records: records.length, applied: fresh.length }
  deps.onBatch?.({ ...info, reemitted: replayed.length + reticked.length })
  for (const { tag } of outputs) if (tag !== '') deps.onDeadLetter?.(tag)
  // What the store holds once this batch is through: the loaded watermark only if new records committed it
  const persisted = fresh.length > 0 ? load.fireWatermark : load.meta.fireWatermark
  return { outputs: outputs.map((o) => o.record), fireWatermark: load.fireWatermark, persisted }
}

/** The changes of a commit that only records new tickers: the state stays as it was. */
function unchanged(batch: PartitionBatch, load: LoadResult) {
  const { meta } = load
  return {
    outputs: [] as TaggedOutput[],
    changes: {
      meta: {
        group: meta.group,
        maxEventTime: meta.maxEventTime,
        fireWatermark: meta.fireWatermark,
        earlyFiredAt: meta.earlyFiredAt,
      },
      put: [],
      finals: [],
      created: [],
      retention: batch.deps.spec.retention,
      timers: new Map<string, Micros>(),
      cancelTimers: [],
      dirtyAdd: [],
      dirtyRemove: [],
      dirtyClear: false,
    },
  }
}

/** Step 2: the pure part, from the new records to the changes and the outputs. */
function decide(batch: PartitionBatch, load: LoadResult, fresh: readonly Decoded[], group: OffsetGroup) {
  const { deps, now } = batch
  const samples = fresh.flatMap((d) =>
    d.sample && d.windows ? [{ sample: d.sample, windows: d.windows, decoded: d }] : [],
  )
  const { deltas, tooLate } = planBatch(samples, deps.spec, load.meta.fireWatermark, load.states)
  const step = applyBatch({
    spec: deps.spec,
    load,
    deltas,
    batchMaxEventTime: batch.maxEventTime,
    group,
    now,
  })
  const late = new Set<ValidatedSample>(tooLate)
  const outputs: TaggedOutput[] = []
  for (const d of fresh) {
    if (d.error) outputs.push(errorOutput(deps, d.record, d.error))
    else if (d.sample && late.has(d.sample)) {
      const replay = readReplayMark(d.record.headers)
      outputs.push(errorOutput(deps, d.record, tooLateError(d.sample, load.meta.fireWatermark, now, replay)))
    }
  }
  for (const state of step.emitted) outputs.push(rowOutput(deps, state, step.watermark, now))
  return { outputs, changes: step.changes }
}

function decodedRecord(
  deps: AggregatorDeps,
  record: ConsumedRecord,
  result: DecodeResult<ValidatedSample>,
  now: Micros,
): Decoded {
  const offset = Number(record.offset)
  if (result.ok)
    return { record, offset, sample: result.value, windows: assignWindows(result.value, deps.spec) }
  const error = errorRecord({
    stage: 'aggregator',
    reasonCode: result.reason,
    message: result.detail,
    source: {
      topic: record.topic,
      partition: record.partition,
      offset,
      writerSchemaId: result.schemaId ?? -1,
    },
    sourceIndex: null,
    userId: record.key?.toString('utf8') ?? null,
    payloadFormat: 'raw',
    payload: record.value ?? EMPTY,
    errorTime: now,
    replay: readReplayMark(record.headers),
  })
  return { record, offset, error }
}
