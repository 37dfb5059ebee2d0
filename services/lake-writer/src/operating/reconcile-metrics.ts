/**
 * The lake's completeness for Prometheus, from each reconciliation: records on the input topics a
 * table does not hold yet, per table and topic partition, and when the last reconciliation succeeded
 * (a stale figure shows as an old timestamp, not as a reassuring 0).
 */
import { Gauge, type Registry } from 'prom-client'
import type { ReconcileReport } from './reconcile-report.ts'

/** Registers the gauges; feed it every report. */
export function createReconcileMetrics(registry: Registry): (report: ReconcileReport) => void {
  const behind = new Gauge({
    name: 'healthstream_lake_reconcile_records_behind',
    help: 'committed records on the topic partition the table does not hold yet (past its recorded offset, up to the last stable offset; transaction markers not counted), as of the last reconciliation',
    labelNames: ['table', 'topic', 'partition'],
    registers: [registry],
  })
  const last = new Gauge({
    name: 'healthstream_lake_reconcile_timestamp_seconds',
    help: 'when the last reconciliation of the lake with its topics succeeded (epoch seconds)',
    registers: [registry],
  })
  return (report) => {
    behind.reset() // partitions of a topic that shrank, tables gone: no stale series
    for (const t of report.tables)
      for (const p of t.partitions)
        behind.set({ table: t.table, topic: p.topic, partition: String(p.partition) }, p.behind)
    last.set(Date.parse(report.at) / 1000)
  }
}
