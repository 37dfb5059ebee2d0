/**
 * Reconciliation on request (GET /admin/reconcile) and on an interval (for the gauge): read what each
 * table records from its current metadata (loaded apart from the loop's own copy, so no commit waits),
 * then the topics' edges, then scan the committed records between them (`reconcile-report.ts` says
 * what is counted). Tables first, the LSO after: a commit landing in between only makes the report
 * older, never negative.
 */
import type { Table, TableMetadata } from '@healthstream/iceberg'
import { recordedState } from '../committing/offsets.ts'
import { recordedRows } from '../committing/row-counts.ts'
import type { TableDef } from '../committing/tables.ts'
import type { TopicLog } from './reconcile-kafka.ts'
import { type ReconcileReport, reconcileReport, scanRequests, type TableState } from './reconcile-report.ts'

/** What the reconciler reads: the tables (as the sinks hold them), and which topics feed which table. */
export interface ReconcilerDeps {
  readonly sinks: readonly { readonly def: Pick<TableDef, 'name' | 'key'>; readonly table: Table }[]
  readonly routes: readonly { readonly topic: string; readonly tables: readonly string[] }[]
  readonly log: TopicLog
  /** Records scanned at most per partition (default 100 000); beyond, `behind` is a lower bound. */
  readonly maxScan?: number
  /** Longest scan of one reconciliation (default 20 s). */
  readonly scanTimeoutMs?: number
  /** Told every report (the gauge), and every failure of a scheduled run (the log). */
  readonly onReport?: (report: ReconcileReport) => void
  readonly onError?: (error: unknown) => void
  readonly now?: () => Date
}

/** One writer's reconciliation: at most one run at a time, a call during a run gets that run's report. */
export class Reconciler {
  readonly #d: ReconcilerDeps
  #running: Promise<ReconcileReport> | undefined
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(deps: ReconcilerDeps) {
    this.#d = deps
  }

  /** Reconciles now; `maxScan` overrides the configured bound for this run. */
  run(maxScan?: number): Promise<ReconcileReport> {
    this.#running ??= this.#run(maxScan ?? this.#d.maxScan ?? 100_000).finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  /**
   * Reconciles every `intervalMs` (0: never), the first run one interval from now (a writer catching
   * up after its start has better things to read); failures go to `onError`.
   */
  start(intervalMs: number): void {
    if (intervalMs <= 0 || this.#timer !== undefined) return
    const tick = () => void this.run().catch((error: unknown) => this.#d.onError?.(error))
    this.#timer = setInterval(tick, intervalMs)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  /** Stops the schedule and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running?.catch(() => undefined)
  }

  async #run(maxScan: number): Promise<ReconcileReport> {
    const { sinks, routes, log } = this.#d
    const tables = await Promise.all(
      sinks.map(async (s) => {
        const loaded = await s.table.catalog.loadTable(s.table.identifier)
        const topics = routes.filter((r) => r.tables.includes(s.def.name)).map((r) => r.topic)
        return tableState(s.def, topics, loaded.metadata)
      }),
    )
    const edges = await log.edges(routes.map((r) => r.topic))
    const scans = await log.scan(scanRequests(tables, edges), maxScan, this.#d.scanTimeoutMs ?? 20_000)
    const report = reconcileReport(tables, edges, scans, (this.#d.now ?? (() => new Date()))())
    this.#d.onReport?.(report)
    return report
  }
}

/** What one table records, from its metadata. */
export function tableState(
  def: Pick<TableDef, 'name' | 'key'>,
  topics: readonly string[],
  m: TableMetadata,
): TableState {
  const current = m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId)
  const total = current?.summary['total-records']
  return {
    table: def.name,
    mode: def.key === undefined ? 'append' : 'upsert',
    topics,
    offsets: recordedState(m).offsets,
    rows: recordedRows(m),
    totalRows: m.currentSnapshotId === null ? 0 : total === undefined ? undefined : Number(total),
  }
}
