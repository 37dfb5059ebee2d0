/**
 * Table maintenance over the writer's sinks: compact, expire snapshots, remove orphan files. The
 * admin endpoints run these on request and the schedule runs expiry and orphan removal every interval.
 * Each action runs between the writer's own commits, never beside one, and every snapshot it makes
 * carries the recorded offsets forward.
 */
import { carriedSummary, stateChain } from '../committing/offsets.ts'
import { carriedRows } from '../committing/row-counts.ts'
import type { TableSink } from '../committing/table-sink.ts'

/** What one action reports, per table (JSON for the admin endpoints and the logs). */
export type MaintenanceResult = Record<string, unknown>

/** Files younger than this are never orphans: a commit may still be writing them (3 days, as in Iceberg's Java actions). */
export const ORPHAN_MIN_AGE_MS = 3 * 86_400_000

/**
 * The youngest files an operator may have removed as orphans. A file a writer has just written for a
 * commit that has not landed yet looks like an orphan; a day is far beyond any commit (interval,
 * retries, a slow catalog), and Iceberg's own Spark action refuses less too.
 */
export const ORPHAN_AGE_FLOOR_MS = 86_400_000

/** An orphan removal asked for files younger than the floor: refused, nothing deleted. */
export class OrphanAgeError extends Error {
  readonly code = 'LAKE_ORPHAN_AGE_TOO_SHORT'
  readonly canRetry = false
  constructor(olderThanMs: number) {
    super(
      `olderThanMs=${olderThanMs} is below ${ORPHAN_AGE_FLOOR_MS} (24 h): younger files may belong to a commit in flight`,
    )
    this.name = 'OrphanAgeError'
  }
}

/** The defaults of the actions, and where they run. */
export interface MaintenanceSettings {
  /** Runs `fn` between the writer's own commits (the loop's `exclusive`). */
  readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>
  /** Written into the snapshots maintenance makes. */
  readonly writer: string
  readonly compactTargetBytes: number
  /** The most rows one compaction rewrite holds in memory. */
  readonly compactMaxRows?: number
  readonly expireOlderThanMs: number
  readonly expireRetainLast: number
  readonly now?: () => number
}

/** The maintenance actions of one writer's tables; an argument left undefined takes its setting. */
export class TableMaintenance {
  readonly sinks: readonly TableSink[]
  readonly #s: MaintenanceSettings

  constructor(sinks: readonly TableSink[], settings: MaintenanceSettings) {
    this.sinks = sinks
    this.#s = settings
  }

  /** The sink of the table with this name. */
  sink(table: string): TableSink | undefined {
    return this.sinks.find((s) => s.def.name === table)
  }

  /** Rewrites the small files of each partition into files near the target size. */
  compact(sink: TableSink, targetBytes = this.#s.compactTargetBytes): Promise<MaintenanceResult> {
    const { compactMaxRows, writer } = this.#s
    return this.#s.exclusive(async () => {
      await sink.table.refresh()
      const r = await sink.table.compact({
        targetFileSizeBytes: targetBytes,
        ...(compactMaxRows === undefined ? {} : { maxRowsPerRewrite: compactMaxRows }),
        summary: (base) => ({ ...carriedSummary(base, writer), ...carriedRows(base) }),
      })
      return { table: sink.def.name, ...r }
    })
  }

  /** Expires snapshots older than the cut-off (keeping the newest `retainLast`) and deletes their files. */
  expire(
    sink: TableSink,
    olderThanMs = this.#s.expireOlderThanMs,
    retainLast = this.#s.expireRetainLast,
  ): Promise<MaintenanceResult> {
    return this.#s.exclusive(async () => {
      await sink.table.refresh()
      const r = await sink.table.expireSnapshots({
        olderThanMs: this.#now() - olderThanMs,
        retainLast,
        // the snapshot holding the recorded offsets, and those after it (other tools' snapshots carry none)
        keep: (m) => stateChain(m).map((s) => s.snapshotId),
      })
      return { table: sink.def.name, expired: r.expired.map(String), deletedFiles: r.deletedFiles.length }
    })
  }

  /** Deletes files older than `olderThanMs` that no metadata refers to (left by crashed commits). */
  removeOrphans(sink: TableSink, olderThanMs = ORPHAN_MIN_AGE_MS): Promise<MaintenanceResult> {
    if (olderThanMs < ORPHAN_AGE_FLOOR_MS) return Promise.reject(new OrphanAgeError(olderThanMs))
    return this.#s.exclusive(async () => {
      await sink.table.refresh()
      const removed = await sink.table.removeOrphanFiles({ olderThanMs: this.#now() - olderThanMs })
      return { table: sink.def.name, removed: removed.length }
    })
  }

  /** One action on every table, one table after the other. */
  async everyTable(action: (sink: TableSink) => Promise<MaintenanceResult>): Promise<MaintenanceResult> {
    const tables: MaintenanceResult[] = []
    for (const sink of this.sinks) tables.push(await action(sink))
    return { tables }
  }

  #now(): number {
    return (this.#s.now ?? Date.now)()
  }
}
