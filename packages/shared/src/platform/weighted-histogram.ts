import type { Metric, MetricObjectWithValues, MetricType, MetricValueWithName, Registry } from 'prom-client'

/**
 * A Prometheus histogram that takes a count with each observation: the records of a transaction
 * that share a timestamp are one call, not thousands. prom-client's own Histogram allocates on every
 * `observe`, and a hop commits up to BATCH_MAX_RECORDS records per transaction.
 */
export class WeightedHistogram {
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  readonly name: string
  readonly help: string
  readonly #upperBounds: readonly number[]
  /** Observations per bucket, not cumulative; the last one is +Inf. */
  readonly #counts: Float64Array
  #sum = 0
  #count = 0

  constructor(options: {
    name: string
    help: string
    buckets: readonly number[]
    registers: readonly Registry[]
  }) {
    this.name = options.name
    this.help = options.help
    this.#upperBounds = [...options.buckets].sort((a, b) => a - b)
    this.#counts = new Float64Array(this.#upperBounds.length + 1)
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric)
  }

  /** `count` observations of `value`; a value that is not a finite number is left out. */
  observe(value: number, count = 1): void {
    if (!Number.isFinite(value) || !(count > 0)) return
    let i = 0
    while (i < this.#upperBounds.length && value > this.#upperBounds[i]!) i++
    this.#counts[i]! += count
    this.#sum += value * count
    this.#count += count
  }

  /** What the registry exposes: cumulative `_bucket` series, `_sum` and `_count`. */
  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: MetricValueWithName<string>[] = []
    let cumulative = 0
    for (let i = 0; i <= this.#upperBounds.length; i++) {
      cumulative += this.#counts[i]!
      const le = i < this.#upperBounds.length ? this.#upperBounds[i]! : '+Inf'
      values.push({ metricName: `${this.name}_bucket`, labels: { le }, value: cumulative })
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.#sum })
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.#count })
    return {
      name: this.name,
      help: this.help,
      // prom-client's typings say an enum; its registry prints the string, as its own metrics give it
      type: 'histogram' as unknown as MetricType,
      aggregator: 'sum',
      collect: () => undefined,
      values,
    }
  }

  reset(): void {
    this.#counts.fill(0)
    this.#sum = 0
    this.#count = 0
  }
}
