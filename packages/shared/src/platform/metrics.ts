import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { WeightedHistogram } from './weighted-histogram.ts'

/**
 * Buckets of `healthstream_record_latency_seconds`: fine around the 100 ms a hop aims for, coarse
 * towards minutes (a backlog being worked off).
 */
export const RECORD_LATENCY_BUCKETS = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300,
] as const

/** The metrics every hop publishes; services add their own to the same registry. */
export interface HopMetrics {
  readonly registry: Registry
  readonly recordsIn: Counter<'topic'>
  readonly recordsOut: Counter<'topic'>
  readonly deadLetters: Counter<'reason'>
  readonly transactions: Counter<'outcome'>
  readonly transactionSeconds: Histogram
  /** Input record timestamp → the commit of the transaction that consumed it, per record. */
  readonly recordLatency: WeightedHistogram
  readonly assignedPartitions: Gauge
}

export function createHopMetrics(service: string): HopMetrics {
  const registry = new Registry()
  registry.setDefaultLabels({ service })
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    recordsIn: new Counter({
      name: 'healthstream_records_in_total',
      help: 'records consumed, by topic',
      labelNames: ['topic'],
      registers: [registry],
    }),
    recordsOut: new Counter({
      name: 'healthstream_records_out_total',
      help: 'records produced, by topic',
      labelNames: ['topic'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'healthstream_dead_letters_total',
      help: 'records sent to health-data-errors, by reason code',
      labelNames: ['reason'],
      registers: [registry],
    }),
    transactions: new Counter({
      name: 'healthstream_transactions_total',
      help: 'Kafka transactions, by outcome (committed, aborted)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    transactionSeconds: new Histogram({
      name: 'healthstream_transaction_seconds',
      help: 'time from first consumed record to committed transaction',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    recordLatency: new WeightedHistogram({
      name: 'healthstream_record_latency_seconds',
      help: "time from an input record's timestamp (its producer's create time) to the commit of the transaction that consumed it, per record",
      buckets: RECORD_LATENCY_BUCKETS,
      registers: [registry],
    }),
    assignedPartitions: new Gauge({
      name: 'healthstream_assigned_partitions',
      help: 'input partitions currently assigned to this instance',
      registers: [registry],
    }),
  }
}

/**
 * `healthstream_ready`: 1 while /readyz answers 200, else 0, computed at scrape time by `ready` (the
 * same function /readyz asks), so an alert sees a stalled or disconnected instance that is still up.
 */
export function registerReadiness(registry: Registry, ready: () => boolean): Gauge {
  return new Gauge({
    name: 'healthstream_ready',
    help: '1 while /readyz answers 200 (connected, partitions assigned, progressing or paused), else 0',
    registers: [registry],
    collect() {
      this.set(ready() ? 1 : 0)
    },
  })
}
