import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The metrics every hop publishes; services add their own to the same registry. */
export interface HopMetrics {
  readonly registry: Registry
  readonly recordsIn: Counter<'topic'>
  readonly recordsOut: Counter<'topic'>
  readonly deadLetters: Counter<'reason'>
  readonly transactions: Counter<'outcome'>
  readonly transactionSeconds: Histogram
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
