/** A service's consumer lag as Prometheus gauges, refreshed from Kafka in the background. */
import { Counter, Gauge, type Registry } from 'prom-client'
import { ConsumerLag, type LogOffsetsPort } from '../kafka/index.ts'
import type { Logger } from '../platform/logger.ts'

/** What the lag metrics are built from. */
export interface LagMetricsOptions {
  /** The service's registry (its `service` label comes with it). */
  readonly registry: Registry
  /** Where the read_committed ends come from (the service's consumer). */
  readonly offsets: LogOffsetsPort
  /** Time between two reads of the ends (LAG_REFRESH_INTERVAL). */
  readonly intervalMs: number
  readonly logger: Logger
}

/**
 * `healthstream_consumer_lag_records{topic, partition}`: per input partition this instance owns, the
 * read_committed end minus the position it has committed (see `ConsumerLag`); a partition it gives
 * up loses its series, so the sum over a service's instances is its group's lag, the figure to scale
 * on. The ends are read every `intervalMs` in the background, so a scrape never waits on Kafka. A
 * failed read keeps the last values and is counted (`healthstream_consumer_lag_refresh_errors_total`);
 * it is logged as a warning when reading starts to fail, at debug while it goes on failing, and at
 * info once it works again. It never stops the service.
 */
export class LagMetrics {
  /** Feed it the positions: the loop's events, or what the service commits. */
  readonly lag = new ConsumerLag()
  readonly #options: LagMetricsOptions
  readonly #errors: Counter
  #timer: NodeJS.Timeout | undefined
  #running = false
  #failing = false
  #refreshing: Promise<void> | undefined

  constructor(options: LagMetricsOptions) {
    this.#options = options
    const lag = this.lag
    new Gauge({
      name: 'healthstream_consumer_lag_records',
      help: 'records between the read_committed end of an input partition this instance owns and the position it has committed for it (the offset its tables record, for the lake-writer)',
      labelNames: ['topic', 'partition'],
      registers: [options.registry],
      collect() {
        this.reset()
        for (const p of lag.current)
          this.set({ topic: p.topic, partition: String(p.partition) }, Number(p.lag))
      },
    })
    this.#errors = new Counter({
      name: 'healthstream_consumer_lag_refresh_errors_total',
      help: 'failed reads of the end offsets of the input partitions (the lag gauge keeps its last values meanwhile)',
      registers: [options.registry],
    })
  }

  /** Reads the ends every interval from now on, the first time one interval from now. */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.#schedule()
  }

  /** Stops reading, once the read in flight (if any) has ended. */
  async stop(): Promise<void> {
    this.#running = false
    clearTimeout(this.#timer)
    await this.#refreshing
  }

  /** Reads the ends now; a failure is counted and logged, never thrown. */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined
    })
    return this.#refreshing
  }

  async #refresh(): Promise<void> {
    const { logger, offsets } = this.#options
    try {
      await this.lag.refresh(offsets)
      if (this.#failing) logger.info('consumer lag read again')
      this.#failing = false
    } catch (error) {
      this.#errors.inc()
      if (this.#failing) logger.debug({ err: error }, 'consumer lag not read')
      else logger.warn({ err: error }, 'consumer lag not read; the lag metric keeps its last values')
      this.#failing = true
    }
  }

  #schedule(): void {
    if (!this.#running) return
    this.#timer = setTimeout(() => void this.refresh().then(() => this.#schedule()), this.#options.intervalMs)
    this.#timer.unref()
  }
}
