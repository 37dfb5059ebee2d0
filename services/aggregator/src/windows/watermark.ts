// Event-time progress. A partition's watermark trails the largest event time it has delivered by the
// bounded out-of-orderness; an instance's watermark is the smallest over the partitions it owns that
// have delivered data recently, so one quiet partition does not hold every window open forever.
import type { Micros } from '@healthstream/shared/domain'

/** "No watermark yet": below every real instant, so nothing fires. */
export const NO_WATERMARK = Number.MIN_SAFE_INTEGER
/** "No other partition holds the watermark back". */
export const UNBOUNDED = Number.MAX_SAFE_INTEGER

/** Where a window stands for a given watermark. */
export type WindowPhase = 'open' | 'fired' | 'expired'

/** Max event time − out-of-orderness; `NO_WATERMARK` before the first event. */
export function partitionWatermark(maxEventTime: Micros, outOfOrderness: Micros): Micros {
  return maxEventTime === NO_WATERMARK ? NO_WATERMARK : maxEventTime - outOfOrderness
}

/**
 * The watermark a partition's windows fire by: its own watermark, held back by the other active
 * partitions of the instance (`others`), and never behind what it already was (`stored`), so a window
 * that fired or expired once stays so after a restart or a move to another instance.
 */
export function firingWatermark(stored: Micros, own: Micros, others: Micros): Micros {
  return Math.max(stored, Math.min(own, others))
}

/**
 * `open` until the watermark reaches the window end; `fired` while late data is still accepted; then
 * `expired`: the result is final and later data is too late.
 */
export function windowPhase(end: Micros, lateness: Micros, watermark: Micros): WindowPhase {
  if (watermark < end) return 'open'
  return watermark < end + lateness ? 'fired' : 'expired'
}

interface Tracked {
  watermark: Micros
  activeAt: Micros
}

/**
 * The watermarks of the partitions one instance owns, with the processing time each last delivered
 * records. Partitions are tracked from assignment (counted as active then, so a partition with a
 * backlog is waited for) until revocation.
 */
export class WatermarkTracker {
  readonly #partitions = new Map<number, Tracked>()
  readonly #idleTimeout: Micros

  /** @param idleTimeout processing time (µs) after which a silent partition is ignored */
  constructor(idleTimeout: Micros) {
    this.#idleTimeout = idleTimeout
  }

  /**
   * Starts tracking an assigned partition at the watermark its state store resumed with. A partition
   * tracked already (kept across a rebalance) keeps the time it last delivered records.
   */
  assign(partition: number, watermark: Micros, now: Micros): void {
    const tracked = this.#partitions.get(partition)
    if (tracked === undefined) this.#partitions.set(partition, { watermark, activeAt: now })
    else tracked.watermark = Math.max(tracked.watermark, watermark)
  }

  /** Forgets a revoked partition. */
  release(partition: number): void {
    this.#partitions.delete(partition)
  }

  /** Records that `partition` delivered records and now has `watermark`. */
  observe(partition: number, watermark: Micros, now: Micros): void {
    const tracked = this.#partitions.get(partition)
    if (tracked === undefined) this.#partitions.set(partition, { watermark, activeAt: now })
    else {
      tracked.watermark = Math.max(tracked.watermark, watermark)
      tracked.activeAt = now
    }
  }

  /** The partition's own watermark (`NO_WATERMARK` when untracked or without data). */
  watermark(partition: number): Micros {
    return this.#partitions.get(partition)?.watermark ?? NO_WATERMARK
  }

  /** Whether the partition has delivered no records for longer than the idle timeout (since assignment). */
  isIdle(partition: number, now: Micros): boolean {
    const tracked = this.#partitions.get(partition)
    return tracked !== undefined && now - tracked.activeAt > this.#idleTimeout
  }

  has(partition: number): boolean {
    return this.#partitions.has(partition)
  }

  get partitions(): number[] {
    return [...this.#partitions.keys()].sort((a, b) => a - b)
  }

  /** Smallest watermark of the active partitions other than `partition`; `UNBOUNDED` if there are none. */
  othersWatermark(partition: number, now: Micros): Micros {
    let min = UNBOUNDED
    for (const [p, tracked] of this.#partitions) {
      if (p !== partition && now - tracked.activeAt <= this.#idleTimeout)
        min = Math.min(min, tracked.watermark)
    }
    return min
  }

  /** The instance watermark: smallest over active partitions; `NO_WATERMARK` when all are idle. */
  instanceWatermark(now: Micros): Micros {
    const min = this.othersWatermark(-1, now)
    return min === UNBOUNDED ? NO_WATERMARK : min
  }

  /** Partitions silent for longer than the idle timeout. */
  idle(now: Micros): number[] {
    return this.partitions.filter((p) => this.isIdle(p, now))
  }
}
