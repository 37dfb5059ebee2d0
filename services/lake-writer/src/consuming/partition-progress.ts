/**
 * One table buffer's progress per input partition since the last commit, pure: the largest event time
 * of the rows each partition added, and the watermark marks read on it (the aggregator's, on
 * health-data-aggregates). Taken with the buffer's rows, recorded by their commit (partition-times.ts).
 */
import type { WatermarkMark } from '@healthstream/shared/kafka'
import { type PartitionTime, timeKey } from '../committing/partition-times.ts'

/** Event times and marks per partition, the larger value kept. */
export class PartitionProgress {
  #times = new Map<string, PartitionTime>()

  #keep(t: PartitionTime): void {
    const key = timeKey(t)
    const known = this.#times.get(key)
    if (known === undefined || t.micros > known.micros) this.#times.set(key, t)
  }

  /** Rows of `partition` with event times up to `micros` were added (undefined: none with one). */
  see(topic: string, partition: number, micros: unknown): void {
    if (typeof micros === 'bigint') this.#keep({ topic, partition, micros })
    else if (typeof micros === 'number' && Number.isFinite(micros))
      this.#keep({ topic, partition, micros: BigInt(Math.floor(micros)) })
  }

  /** A watermark mark was read on `partition`. */
  mark(topic: string, partition: number, mark: WatermarkMark): void {
    this.#keep({ topic, partition, source: mark.sourcePartition, micros: mark.watermark })
  }

  /** What was seen since the last take; empty afterwards. */
  take(): PartitionTime[] {
    const out = [...this.#times.values()]
    this.#times = new Map()
    return out
  }

  clear(): void {
    this.#times = new Map()
  }
}
