// Watermark marks (`@healthstream/shared/kafka` watermark-mark.ts): after a batch's window rows, for each
// input partition whose firing watermark moved, one mark on every partition of the aggregates topic. The
// transaction writes them after the rows, so on each aggregates partition a mark follows every row of
// that input partition's windows ending at or before its watermark: a reader past the mark has them all
// (the lake-writer's `healthstream.complete-before`). Marks are not in the outbox: a mark sent again, or
// one lost with an aborted transaction, says nothing false; the next batch sends the watermark again.
import type { Micros } from '@healthstream/shared/domain'
import { type OutputRecord, watermarkMarkRecord } from '@healthstream/shared/kafka'
import { NO_WATERMARK } from './windows/watermark.ts'

/** Where marks go: the aggregates topic and its partition count (0: no marks). */
export interface MarkTarget {
  readonly topic: string
  readonly partitions: number
}

/**
 * The marks for `fired` (firing watermark per input partition of this batch), for each partition
 * whose watermark is above the last one marked (`marked`, updated). Nothing before a first watermark.
 */
export function watermarkMarks(
  target: MarkTarget,
  fired: ReadonlyMap<number, Micros>,
  marked: Map<number, Micros>,
): OutputRecord[] {
  const out: OutputRecord[] = []
  for (const [source, watermark] of [...fired].sort(([a], [b]) => a - b)) {
    if (watermark === NO_WATERMARK || watermark <= (marked.get(source) ?? NO_WATERMARK)) continue
    marked.set(source, watermark)
    const mark = { sourcePartition: source, watermark: BigInt(watermark) }
    for (let q = 0; q < target.partitions; q++) out.push(watermarkMarkRecord(target.topic, q, mark))
  }
  return out
}

/**
 * The marks of one aggregator instance, batch after batch. A mark carries the firing watermark the
 * store holds for the partition after the batch (not one computed and dropped: a partition whose
 * windows were not due keeps its stored watermark, and data that comes later below a computed one is
 * not late). After a redo (a partition read again: the last transaction aborted) the partitions not in
 * the batch may hold state whose rows wait for their own redo: they get no mark until they have been
 * in a batch again.
 */
export class WatermarkMarker {
  readonly #target: MarkTarget
  readonly #marked = new Map<number, Micros>()
  readonly #lastOffsets = new Map<number, bigint>()
  readonly #unsettled = new Set<number>()

  constructor(target: MarkTarget) {
    this.#target = target
  }

  /** Takes note of a batch (first and last offset per partition) among the `tracked` partitions. */
  batch(offsets: ReadonlyMap<number, { first: bigint; last: bigint }>, tracked: readonly number[]): void {
    let redo = false
    for (const [partition, { first, last }] of offsets) {
      const before = this.#lastOffsets.get(partition)
      if (before !== undefined && first <= before) redo = true
      this.#lastOffsets.set(partition, last)
    }
    if (redo) {
      this.#marked.clear() // the marks went with the aborted transaction: send them again
      for (const p of tracked) if (!offsets.has(p)) this.#unsettled.add(p)
    }
    for (const p of offsets.keys()) this.#unsettled.delete(p)
  }

  /** The marks after a batch: `persisted` firing watermarks of its partitions and ticks. */
  marks(persisted: ReadonlyMap<number, Micros>): OutputRecord[] {
    if (this.#target.partitions === 0) return []
    const settled = new Map([...persisted].filter(([p]) => !this.#unsettled.has(p)))
    return watermarkMarks(this.#target, settled, this.#marked)
  }

  /** Forgets a revoked partition. */
  release(partition: number): void {
    this.#marked.delete(partition)
    this.#lastOffsets.delete(partition)
    this.#unsettled.delete(partition)
  }
}
