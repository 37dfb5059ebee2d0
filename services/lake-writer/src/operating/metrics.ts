/** The lake-writer's Prometheus metrics, fed by the loop's events. */
import type { HopMetrics } from '@healthstream/shared/platform'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { CatalogOperation } from '../committing/table-sink.ts'
import type { LakeEvent } from '../loop-stats.ts'

/** Per-table metrics beside the common ones. */
export interface LakeMetrics {
  /** Feed every loop event here. */
  onEvent(event: LakeEvent): void
  /** Counts a failed catalog call of a table's sink (`SinkOptions.onError`). */
  catalogError(table: string, operation: CatalogOperation): void
}

const CATALOG_OPERATIONS: readonly CatalogOperation[] = ['commit', 'refresh', 'evolve']

const labelNames = ['table'] as const

function counters(registry: Registry) {
  const counter = (name: string, help: string) =>
    new Counter({ name: `healthstream_lake_${name}`, help, labelNames, registers: [registry] })
  return {
    rows: counter('rows_committed_total', 'rows committed, by table'),
    files: counter('files_committed_total', 'Parquet files committed, by table'),
    bytes: counter('bytes_committed_total', 'Parquet bytes committed, by table'),
    conflicts: counter(
      'commit_conflicts_total',
      'commit attempts redone because another writer committed in between, by table',
    ),
    latency: new Histogram({
      name: 'healthstream_lake_commit_seconds',
      help: 'time to write the files and commit one table snapshot',
      labelNames,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'healthstream_lake_skipped_records_total',
      help: 'records that became no row of their own table (undecodable, unknown granularity, tombstone) and went to health_data_errors as dead letters, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    recoveries: counter(
      'position_recoveries_total',
      'times a table held rows but no recorded Kafka offsets (removed by another tool) and its position was recovered from the rows, by table',
    ),
    catalogErrors: new Counter({
      name: 'healthstream_lake_catalog_errors_total',
      help: 'failed catalog calls (a commit attempt, retried or not; re-reading a table), by table and operation',
      labelNames: ['table', 'operation'],
      registers: [registry],
    }),
    resyncs: new Counter({
      name: 'healthstream_lake_resyncs_total',
      help: 'buffers dropped and re-read from the tables after an error',
      registers: [registry],
    }),
  }
}

/** Gauges computed at scrape time from the last commit and the largest event time per table. */
function ageGauges(registry: Registry, now: () => number) {
  const lastCommit = new Map<string, number>()
  const watermark = new Map<string, number>()
  const age = (name: string, help: string, since: Map<string, number>) =>
    new Gauge({
      name: `healthstream_lake_${name}`,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const [table, at] of since) this.set({ table }, (now() - at) / 1000)
      },
    })
  age(
    'seconds_since_last_commit',
    'seconds since this instance last committed the table (absent before its first commit)',
    lastCommit,
  )
  age('event_time_freshness_seconds', 'now minus the largest event time the table holds', watermark)
  return {
    committed: (table: string) => lastCommit.set(table, now()),
    watermark(table: string, micros: bigint | undefined) {
      if (micros === undefined) return
      const ms = Number(micros / 1000n)
      if (ms > (watermark.get(table) ?? Number.NEGATIVE_INFINITY)) watermark.set(table, ms)
    },
  }
}

/** Registers the lake metrics in the hop's registry. */
export function createLakeMetrics(hop: HopMetrics, tables: readonly string[], now = Date.now): LakeMetrics {
  const c = counters(hop.registry)
  const ages = ageGauges(hop.registry, now)
  for (const table of tables) {
    c.rows.inc({ table }, 0)
    c.recoveries.inc({ table }, 0)
    for (const operation of CATALOG_OPERATIONS) c.catalogErrors.inc({ table, operation }, 0)
  }
  return {
    catalogError: (table, operation) => c.catalogErrors.inc({ table, operation }),
    onEvent(event) {
      if (event.type === 'consumed') hop.recordsIn.inc({ topic: event.topic }, event.records)
      else if (event.type === 'skipped') c.skipped.inc({ reason: event.reason })
      else if (event.type === 'resync') c.resyncs.inc()
      else if (event.type === 'recorded') {
        ages.watermark(event.table, event.watermark)
        if (event.source === 'rows') c.recoveries.inc({ table: event.table })
      } else if (event.type === 'assigned') hop.assignedPartitions.set(event.session.assignment.length)
      else if (event.type === 'committed') {
        const { table, rows, files, bytes, attempts, durationMs } = event.result
        c.rows.inc({ table }, rows)
        hop.recordsOut.inc({ topic: table }, rows) // the dashboard's "out": rows written, by table
        c.files.inc({ table }, files)
        c.bytes.inc({ table }, bytes)
        c.conflicts.inc({ table }, attempts - 1)
        c.latency.observe({ table }, durationMs / 1000)
        ages.committed(table)
        ages.watermark(table, event.watermark)
      }
    },
  }
}
