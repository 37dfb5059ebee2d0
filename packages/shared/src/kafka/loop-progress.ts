/**
 * The transactional loop's bookkeeping: its counters, and when it last made progress, which /readyz
 * and the liveness probe judge it by (a commit, a read that found nothing new, a fresh assignment;
 * never a batch hanging in hand).
 */
import { emptyCounters, type LoopCounters } from './loop-stats.ts'

export class LoopProgress {
  readonly counters: LoopCounters = emptyCounters()
  #syncedAt = 0
  /** When the batch in hand was taken; undefined between batches. */
  #busySince: number | undefined
  #seenGeneration: number | undefined

  synced(now = Date.now()): void {
    this.#syncedAt = now
  }

  busy(now = Date.now()): void {
    this.#busySince = now
  }

  idle(): void {
    this.#busySince = undefined
  }

  /** Counts the transaction; returns when it was committed. */
  committed(records: number, outputs: number, now = Date.now()): number {
    const c = this.counters
    c.recordsIn += records
    c.recordsOut += outputs
    c.transactionsCommitted++
    c.lastCommitAt = now
    return now
  }

  /**
   * A join: a generation other than the last one seen is a rebalance. Counted against the last seen,
   * not the synced one: a step may have dropped its session already (the consumer said
   * "rebalancing" before this join), and the rebalance would go uncounted.
   */
  joined(generationId: number): void {
    if (this.#seenGeneration !== undefined && this.#seenGeneration !== generationId)
      this.counters.rebalances++
    this.#seenGeneration = generationId
  }

  /**
   * The last progress. A member without partitions has nothing to do, which is progress as far as
   * readiness goes; a batch in hand is not idleness, so reads finding nothing new while it hangs count
   * for nothing (`caughtUpAt`: the prefetcher's last read that found nothing new).
   */
  lastProgressAt(assignedPartitions: number | undefined, caughtUpAt: number, now = Date.now()): number {
    if (assignedPartitions === 0) return now
    return Math.max(this.counters.lastCommitAt, this.#busySince ?? caughtUpAt, this.#syncedAt)
  }
}
