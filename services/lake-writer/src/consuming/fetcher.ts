/**
 * Reading the owned partitions from the positions the tables record, one fetch ahead: while the loop
 * turns one response into rows, the next fetch is already on its way. `reset` (after a rebalance or
 * an error) drops whatever was in flight, so nothing read before it can reach a table.
 */
import {
  type ConsumedRecord,
  type ConsumerPort,
  type FetchResult,
  type PartitionOffset,
  partitionKey,
} from '@healthstream/shared/kafka'

type Outcome = { ok: true; result: FetchResult } | { ok: false; error: unknown }

/** Limits of one fetch. */
export interface FetchLimits {
  /** Longest time the broker may hold a fetch when there is no data. */
  readonly maxWaitMs: number
  readonly maxBytes: number
}

/** One-ahead reader of a set of partitions. */
export class Fetcher {
  readonly #consumer: Pick<ConsumerPort, 'fetch'>
  readonly #limits: FetchLimits
  readonly #positions = new Map<string, PartitionOffset>()
  #ahead: Promise<Outcome> | undefined
  #epoch = 0

  constructor(consumer: Pick<ConsumerPort, 'fetch'>, limits: FetchLimits) {
    this.#consumer = consumer
    this.#limits = limits
  }

  /** Reads from these positions from now on; anything in flight is dropped. */
  reset(positions: readonly PartitionOffset[]): void {
    this.#epoch++
    this.#ahead = undefined
    this.#positions.clear()
    for (const p of positions) this.#positions.set(partitionKey(p.topic, p.partition), p)
  }

  /** Where each owned partition is read next (past the records `next` has returned). */
  positions(): PartitionOffset[] {
    return [...this.#positions.values()]
  }

  /** The next records (empty when none arrived within `maxWaitMs`); throws a failed fetch's error. */
  async next(): Promise<readonly ConsumedRecord[]> {
    if (this.#positions.size === 0) {
      await new Promise((r) => setTimeout(r, Math.min(this.#limits.maxWaitMs, 200)))
      return []
    }
    const epoch = this.#epoch
    const pending = this.#ahead ?? this.#start()
    this.#ahead = undefined
    const outcome = await pending
    if (epoch !== this.#epoch) return []
    if (!outcome.ok) throw outcome.error
    for (const n of outcome.result.next) {
      const key = partitionKey(n.topic, n.partition)
      if (this.#positions.has(key)) this.#positions.set(key, n)
    }
    this.#ahead = this.#start()
    return this.#owned(outcome.result.records)
  }

  /** The records of partitions still owned; records come in runs of one partition, so one lookup per run. */
  #owned(records: readonly ConsumedRecord[]): readonly ConsumedRecord[] {
    let topic = ''
    let partition = -1
    let owned = false
    let kept: ConsumedRecord[] | undefined // a copy only once a record is dropped
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!
      if (r.partition !== partition || r.topic !== topic) {
        topic = r.topic
        partition = r.partition
        owned = this.#positions.has(partitionKey(topic, partition))
      }
      if (!owned) kept ??= records.slice(0, i)
      else kept?.push(r)
    }
    return kept ?? records
  }

  #start(): Promise<Outcome> {
    return this.#consumer.fetch([...this.#positions.values()], this.#limits).then(
      (result): Outcome => ({ ok: true, result }),
      (error: unknown): Outcome => ({ ok: false, error }),
    )
  }
}
