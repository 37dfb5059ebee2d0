/**
 * The PromQL the dashboard and the alert rules share. Every scrape config labels a target with its
 * `service` (compose: static labels; Kubernetes: the ServiceMonitor's relabelling), and every series
 * is aggregated by labels that mean the same with one replica or many: sums over instances for
 * throughput and lag, the freshest instance for the lake's age, the largest for memory.
 */

/** The four services, as their targets are labelled. */
export const SERVICES = ['ingest', 'validator', 'aggregator', 'lake-writer'] as const

/**
 * Selects the services' targets in series every target has (`up`, `process_*`, `nodejs_*`): where
 * other applications are scraped too, they carry a `service` label of their own.
 */
export const TARGETS = `{service=~"${SERVICES.join('|')}"}`

/** Per-second rate of `counter` over `window`, summed `by` the labels given. */
export const sumRate = (counter: string, by: string, window: string): string =>
  `sum by (${by}) (rate(${counter}[${window}]))`

/** The `q` quantile of histogram `name` over `window`, per value of the labels `by`. */
export const quantile = (q: number, name: string, by: string, window: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${name}_bucket[${window}])))`

/** A consumer group's lag per input topic: the instances report the partitions each owns. */
export const LAG = 'sum by (service, topic) (healthstream_consumer_lag_records)'

/** How far behind "now" the newest event of each table is, as the freshest instance saw it. */
export const freshness = (selector = ''): string =>
  `min by (table) (healthstream_lake_event_time_freshness_seconds${selector})`

/** Seconds since any instance committed each table. */
export const SINCE_COMMIT = 'min by (table) (healthstream_lake_seconds_since_last_commit)'

/**
 * Records on each table's topic the table does not hold yet. Every lake-writer instance reconciles the
 * whole lake, so instances are combined with `max` (a sum would count each gap once per instance).
 */
export const RECONCILE_BEHIND =
  'sum by (service, table) (max by (service, table, topic, partition) (healthstream_lake_reconcile_records_behind))'
