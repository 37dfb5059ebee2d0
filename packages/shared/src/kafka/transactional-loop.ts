import { backoffDelay, sleep } from './backoff.ts'
import { assertCommittable, assertOwned, nextOffsets } from './batch.ts'
import type { KafkaLoopError } from './errors.ts'
import {
  asKafkaLoopError,
  isKafkaLoopError,
  KafkaErrorCode,
  transformError,
  unlessAborted,
} from './errors.ts'
import type { ResolvedLoopOptions, TransactionalLoopOptions } from './loop-options.ts'
import { resolveLoopOptions } from './loop-options.ts'
import { LoopProgress } from './loop-progress.ts'
import type { LoopEvent, LoopState, LoopStats } from './loop-stats.ts'
import { errorSummary } from './loop-stats.ts'
import { Notifier } from './notifier.ts'
import type { ConsumedRecord, GroupSession, PartitionOffset, TransactionPort } from './ports.ts'
import { closeAll, Prefetcher } from './prefetcher.ts'

/**
 * The exactly-once hop every service runs: read a batch (read_committed) → transform → in one Kafka
 * transaction write the outputs and the consumed offsets, fenced by the group generation (KIP-447) →
 * commit. The commit order is fixed: outputs, then offsets, then EndTxn; nothing is visible to
 * read_committed readers before EndTxn, and on any failure the transaction is aborted and the loop
 * resumes from the offsets the group has committed, read with `require_stable`. Why that is exactly
 * once: docs/exactly-once.md, section 1.
 *
 * @example
 * const loop = new TransactionalLoop({ consumer, producer, inputTopics: ['health-data-raw'],
 *   transform: async (records) => records.map((r) => ({ topic: 'out', key: r.key, value: r.value })) })
 * const done = loop.run() // resolves after stop(), rejects on a fatal error (e.g. fenced)
 * process.once('SIGTERM', () => void loop.stop())
 */
export class TransactionalLoop {
  readonly #options: ResolvedLoopOptions
  readonly #prefetcher: Prefetcher
  readonly #progress = new LoopProgress()
  readonly #counters = this.#progress.counters
  readonly #wake = new Notifier()
  #state: LoopState = 'created'
  #synced: GroupSession | undefined
  #batch = new AbortController()
  readonly #stop = new AbortController()
  /** Aborted `shutdownTimeoutMs` after a stop request: from then on nothing is waited for. */
  readonly #deadline = new AbortController()
  #pause = new AbortController()
  #stopTimer: NodeJS.Timeout | undefined
  #paused = false
  #producerStuck = false
  #running: Promise<void> | undefined

  constructor(options: TransactionalLoopOptions) {
    this.#options = resolveLoopOptions(options)
    this.#prefetcher = new Prefetcher(options.consumer, this.#options)
  }

  /** Runs until `stop()` (or the signal) and closes the clients; rejects with a fatal `KafkaLoopError`. */
  run(): Promise<void> {
    this.#running ??= this.#run()
    return this.#running
  }

  /** Finishes the open batch (aborting it after `shutdownTimeoutMs`), leaves the group, closes clients. */
  async stop(): Promise<void> {
    this.#requestStop()
    await this.#running?.catch(() => undefined)
  }

  /** Stops taking new batches (the group membership is kept). */
  pause(): void {
    this.#paused = true
    this.#pause.abort()
    this.#prefetcher.pause()
    if (this.#state === 'running') this.#setState('paused')
  }

  resume(): void {
    this.#paused = false
    this.#pause = new AbortController()
    this.#prefetcher.resume()
    if (this.#state === 'paused') this.#setState('running')
    this.#wake.notify()
  }

  get stats(): LoopStats {
    return {
      ...this.#counters,
      state: this.#state,
      session: this.#synced,
      bufferedRecords: this.#prefetcher.buffered,
      throttled: this.#prefetcher.throttled,
      lastProgressAt: this.#progress.lastProgressAt(
        this.#synced?.assignment.length,
        this.#prefetcher.caughtUpAt,
      ),
    }
  }

  async #run(): Promise<void> {
    const { consumer, signal } = this.#options
    const unsubscribe = consumer.onSession((session) => this.#onSession(session))
    const onAbort = (): void => this.#requestStop()
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) this.#requestStop()
    try {
      this.#setState('starting')
      await this.#options.producer.init()
      await consumer.subscribe(this.#options.inputTopics)
      this.#prefetcher.start()
      if (!this.#stopping) this.#setState(this.#paused ? 'paused' : 'running')
      await this.#loop()
      this.#setState('stopping')
    } catch (error) {
      const failure = asKafkaLoopError(error, false)
      this.#fail(failure)
      throw failure
    } finally {
      signal?.removeEventListener('abort', onAbort)
      unsubscribe()
      await this.#close()
    }
    this.#setState('stopped')
  }

  async #loop(): Promise<void> {
    let attempt = 0
    while (!this.#stopping) {
      try {
        await unlessAborted(this.#step(), this.#deadline.signal, 'the open batch')
        attempt = 0
      } catch (error) {
        attempt = await this.#recover(asKafkaLoopError(error, true), attempt)
      }
    }
  }

  /**
   * After a failed step: a fatal error ends the loop; otherwise the next step rewinds to the committed
   * offsets, at once when the group moved on, after a backoff for everything else (including a broker
   * "rebalance" answer the client has not noticed yet, to give it time to rejoin).
   */
  async #recover(failure: KafkaLoopError, attempt: number): Promise<number> {
    this.#counters.lastError = errorSummary(failure)
    if (!failure.canRetry) throw failure
    const failedUnder = this.#synced
    this.#synced = undefined
    const moved = failure.code === KafkaErrorCode.REBALANCED && !this.#stillCurrent(failedUnder)
    if (this.#stopping || moved) return attempt
    await this.#backoff(attempt + 1, failure)
    return attempt + 1
  }

  /** One iteration: make sure positions match the current session, then process one batch. */
  async #step(): Promise<void> {
    if (this.#paused) return this.#wake.wait()
    if (this.#producerStuck) {
      // Before anything else: a transaction left open would hold the group's offsets unstable
      await this.#options.producer.reset()
      this.#producerStuck = false
    }
    const session = await this.#sync()
    if (session === undefined) return this.#wake.wait(undefined, 1000)
    const { maxBatchRecords, lingerMs } = this.#options
    const wakeUp = AbortSignal.any([this.#batch.signal, this.#stop.signal, this.#pause.signal])
    const records = await this.#prefetcher.take(maxBatchRecords, lingerMs, wakeUp)
    if (records.length === 0) return
    this.#progress.busy()
    await this.#process(records, session).finally(() => this.#progress.idle())
  }

  /** Re-reads start positions when the session changed (or after an error); undefined while joining. */
  async #sync(): Promise<GroupSession | undefined> {
    const { consumer } = this.#options
    if (this.#synced !== undefined && consumer.isCurrent(this.#synced)) return this.#synced
    this.#synced = undefined
    const session = consumer.session()
    if (session === undefined || !consumer.isCurrent(session)) return undefined
    this.#batch.abort()
    this.#batch = new AbortController()
    const positions = await consumer.startOffsets(session.assignment)
    if (!consumer.isCurrent(session)) return undefined
    this.#prefetcher.reset(positions)
    this.#synced = session
    this.#progress.synced()
    this.#emit({ type: 'assigned', session, positions })
    return session
  }

  async #process(records: readonly ConsumedRecord[], session: GroupSession): Promise<void> {
    const started = Date.now()
    const signal = this.#batch.signal
    assertOwned(records, session)
    const outputs = await this.#options.transform(records, { session, signal }).catch((error: unknown) => {
      throw transformError(error)
    })
    this.#assertCurrent(session, signal)
    const transaction = await this.#options.producer.begin()
    try {
      if (outputs.length > 0) await transaction.send(outputs)
      this.#emit({ type: 'produced', records: records.length, outputs: outputs.length })
      this.#assertCurrent(session, signal)
      const offsets = nextOffsets(records)
      await transaction.sendOffsets(offsets, session)
      await transaction.commit()
      this.#committed(records.length, outputs.length, offsets, started)
    } catch (error) {
      const failure = asKafkaLoopError(error, true)
      await this.#abort(transaction, records.length, failure)
      throw failure
    }
  }

  #committed(records: number, outputs: number, offsets: readonly PartitionOffset[], started: number): void {
    const at = this.#progress.committed(records, outputs)
    this.#emit({ type: 'committed', records, outputs, offsets, durationMs: at - started })
  }

  /**
   * Aborts; when even that fails the broker may still hold the transaction open, so the next step
   * resets the producer: re-registering the transactional id aborts whatever is left.
   */
  async #abort(transaction: TransactionPort, records: number, error: KafkaLoopError): Promise<void> {
    this.#counters.transactionsAborted++
    this.#emit({ type: 'aborted', records, error })
    try {
      await transaction.abort()
    } catch (abortError) {
      if (error.code === KafkaErrorCode.PRODUCER_FENCED) return
      if (isKafkaLoopError(abortError) && abortError.code === KafkaErrorCode.PRODUCER_FENCED) throw abortError
      this.#producerStuck = true
    }
  }

  #assertCurrent(session: GroupSession, signal: AbortSignal): void {
    assertCommittable(session, signal, this.#stopping, this.#options.consumer.isCurrent(session))
  }

  async #backoff(attempt: number, error: KafkaLoopError): Promise<void> {
    const delayMs = backoffDelay(attempt, this.#options.retryBackoff)
    this.#counters.retries++
    this.#emit({ type: 'retrying', attempt, delayMs, error })
    await sleep(delayMs, this.#stop.signal)
  }

  #stillCurrent(session: GroupSession | undefined): boolean {
    return session !== undefined && this.#options.consumer.isCurrent(session)
  }

  #onSession(session: GroupSession): void {
    this.#progress.joined(session.generationId)
    // The batch in hand belongs to the old generation: let the transform give up early
    if (this.#synced?.generationId !== session.generationId) this.#batch.abort()
    this.#wake.notify()
  }

  get #stopping(): boolean {
    return this.#stop.signal.aborted
  }

  /** An idle loop wakes up at once; a busy one has until the shutdown timeout to commit its batch. */
  #requestStop(): void {
    if (this.#stopping) return
    this.#stop.abort()
    if (this.#state === 'running' || this.#state === 'paused') this.#setState('stopping')
    this.#wake.notify()
    this.#stopTimer = setTimeout(() => {
      this.#batch.abort()
      this.#deadline.abort()
    }, this.#options.shutdownTimeoutMs)
    this.#stopTimer.unref()
  }

  /** Stops reading ahead, leaves the group and closes the producer, within a bounded time. */
  async #close(): Promise<void> {
    clearTimeout(this.#stopTimer)
    const { consumer, producer, shutdownTimeoutMs } = this.#options
    const error = await closeAll(this.#prefetcher, [consumer, producer], shutdownTimeoutMs + 5_000)
    if (error !== undefined) this.#counters.lastError = errorSummary(error)
  }

  #fail(error: KafkaLoopError): void {
    this.#counters.lastError = errorSummary(error)
    this.#setState('failed')
    this.#emit({ type: 'failed', error })
  }

  #setState(state: LoopState): void {
    if (this.#state === state) return
    this.#state = state
    this.#emit({ type: 'state', state })
  }

  #emit(event: LoopEvent): void {
    try {
      this.#options.onEvent?.(event)
    } catch {
      // A broken listener must not break exactly-once processing
    }
  }
}
