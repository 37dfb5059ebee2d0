import { unlessAborted } from './errors.ts'
import { Notifier } from './notifier.ts'
import type { ConsumedRecord, ConsumerPort, FetchResult, PartitionOffset } from './ports.ts'
import { partitionKey } from './ports.ts'

/** Limits of the read-ahead buffer. */
export interface PrefetchOptions {
  /** Longest time one fetch may wait at the broker for data. */
  readonly fetchMaxWaitMs: number
  /** Most bytes one fetch asks for. */
  readonly fetchMaxBytes: number
  /** Fetching pauses while this many records wait to be processed (backpressure). */
  readonly maxBufferedRecords: number
  /** Fetching pauses while this many key and value bytes wait to be processed (backpressure). */
  readonly maxBufferedBytes: number
}

/**
 * Reads ahead from the consumer into a bounded buffer while the loop transforms and commits the previous
 * batch. Positions advance as records are buffered; `reset` rewinds them (after an abort or a rebalance)
 * and discards whatever was buffered or is still in flight from before.
 */
export class Prefetcher {
  readonly #consumer: ConsumerPort
  readonly #options: PrefetchOptions
  readonly #positions = new Map<string, PartitionOffset>()
  #queue: ConsumedRecord[] = []
  #bytes = 0
  #epoch = 0
  #error: unknown
  #running = false
  #paused = false
  #pump: Promise<void> | undefined
  #caughtUpAt = 0
  /**
   * When the queue last went from empty to holding records (ms): a batch's linger counts from there.
   * What a full batch leaves behind keeps it (those records then go without lingering: a backlog).
   */
  #queuedSince = 0
  readonly #pumpWake = new Notifier()
  readonly #dataWake = new Notifier()

  constructor(consumer: ConsumerPort, options: PrefetchOptions) {
    this.#consumer = consumer
    this.#options = options
  }

  /** Records waiting to be taken. */
  get buffered(): number {
    return this.#queue.length
  }

  /** When a fetch last found nothing new with an empty buffer (the input is caught up), in ms. */
  get caughtUpAt(): number {
    return this.#caughtUpAt
  }

  /** True while reading ahead is held back by the buffer limits or `pause`. */
  get throttled(): boolean {
    return this.#paused || this.#full()
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#pump = this.#run()
  }

  /** Stops reading ahead and waits for the fetch in flight. */
  async stop(): Promise<void> {
    this.#running = false
    this.#pumpWake.notify()
    this.#dataWake.notify()
    await this.#pump
  }

  /** Starts over from `positions`: drops buffered and in-flight data and any pending error. */
  reset(positions: readonly PartitionOffset[]): void {
    this.#epoch++
    this.#positions.clear()
    for (const position of positions)
      this.#positions.set(partitionKey(position.topic, position.partition), position)
    this.#queue = []
    this.#bytes = 0
    this.#error = undefined
    this.#pumpWake.notify()
  }

  pause(): void {
    this.#paused = true
  }

  resume(): void {
    this.#paused = false
    this.#pumpWake.notify()
  }

  /**
   * Up to `maxRecords` records: waits for the first one, then for the batch to fill until the oldest
   * buffered record has waited `lingerMs` (as a Kafka producer's `linger.ms`: records that arrived
   * while the previous batch was in its transaction have lingered already, and go at once).
   * Returns early (possibly empty) when `signal` aborts; throws the fetch error once the buffer is empty.
   */
  async take(maxRecords: number, lingerMs: number, signal?: AbortSignal): Promise<ConsumedRecord[]> {
    while (this.#queue.length === 0) {
      if (this.#error !== undefined) throw this.#error
      if (signal?.aborted || !this.#running) return []
      await this.#dataWake.wait(signal)
    }
    const deadline = this.#queuedSince + lingerMs
    while (this.#queue.length < maxRecords && this.#error === undefined && !signal?.aborted) {
      const left = deadline - Date.now()
      if (left <= 0 || !this.#running) break
      await this.#dataWake.wait(signal, left)
    }
    return this.#shift(maxRecords)
  }

  #shift(maxRecords: number): ConsumedRecord[] {
    const batch = this.#queue.length <= maxRecords ? this.#queue : this.#queue.slice(0, maxRecords)
    this.#queue = batch === this.#queue ? [] : this.#queue.slice(maxRecords)
    for (const record of batch) this.#bytes -= recordBytes(record)
    this.#pumpWake.notify()
    return batch
  }

  #full(): boolean {
    return (
      this.#queue.length >= this.#options.maxBufferedRecords || this.#bytes >= this.#options.maxBufferedBytes
    )
  }

  #canFetch(): boolean {
    return this.#running && !this.throttled && this.#positions.size > 0 && this.#error === undefined
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (!this.#canFetch()) {
        await this.#pumpWake.wait()
        continue
      }
      const epoch = this.#epoch
      const positions = [...this.#positions.values()]
      try {
        const result = await this.#consumer.fetch(positions, {
          maxWaitMs: this.#options.fetchMaxWaitMs,
          maxBytes: this.#options.fetchMaxBytes,
        })
        if (epoch === this.#epoch) this.#accept(result)
      } catch (error) {
        // A failure of a fetch that a reset already made obsolete is not worth reporting
        if (epoch === this.#epoch) this.#error = error
      }
      this.#dataWake.notify()
    }
  }

  #accept(result: FetchResult): void {
    if (result.records.length === 0 && this.#queue.length === 0) this.#caughtUpAt = Date.now()
    if (this.#queue.length === 0) this.#queuedSince = Date.now()
    for (const record of result.records) {
      if (!this.#positions.has(partitionKey(record.topic, record.partition))) continue
      this.#queue.push(record)
      this.#bytes += recordBytes(record)
    }
    for (const next of result.next) {
      const key = partitionKey(next.topic, next.partition)
      if (this.#positions.has(key)) this.#positions.set(key, next)
    }
  }
}

function recordBytes(record: ConsumedRecord): number {
  return (record.key?.length ?? 0) + (record.value?.length ?? 0)
}

/**
 * Stops `prefetcher`, then closes the clients; gives up after `timeoutMs` (a client that never answers
 * must not keep a stopping process alive). Returns the first error, if any.
 */
export async function closeAll(
  prefetcher: Prefetcher,
  clients: readonly { close(): Promise<void> }[],
  timeoutMs: number,
): Promise<unknown> {
  const closing = async (): Promise<PromiseSettledResult<void>[]> => {
    await prefetcher.stop()
    return Promise.allSettled(clients.map((client) => client.close()))
  }
  try {
    const results = await unlessAborted(closing(), AbortSignal.timeout(timeoutMs), 'the clients to close')
    return results.find((result) => result.status === 'rejected')?.reason
  } catch (error) {
    return error
  }
}
