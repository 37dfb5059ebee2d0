/**
 * Commits one table's buffered work to Iceberg: rows as Parquet files and, in the same metadata commit
 * (table properties and the snapshot's summary), the consumed offsets merged with those other writers
 * recorded (docs/exactly-once.md, section 3). The summary, the fence and
 * (for upserts) the files to rewrite are computed from the base metadata of each commit attempt, so a
 * conflict with another writer is resolved by re-reading the table, never by overwriting its state.
 */
import {
  type BatchEncoder,
  bindPartitionSpec,
  CommitConflictError,
  type DataFile,
  isIcebergError,
  liveEntries,
  type NewColumn,
  partitionOf,
  partitionTupleKey,
  readLiveRows,
  readParquet,
  type SnapshotChange,
  scanTasks,
  type Table,
  type TableMetadata,
} from '@healthstream/iceberg'
import type { CommitWork } from './commit-work.ts'
import type { CompletenessRule } from './completeness.ts'
import { FencedError, PositionUnknownError } from './errors.ts'
import {
  fenceViolations,
  type RecordedState,
  recordedState,
  SummaryKeys,
  stateProperties,
  stateSummary,
} from './offsets.ts'
import { type Lineage, stateFromRows } from './recovery.ts'
import { countRows, type PartitionRows, rowDelta, rowsSummary } from './row-counts.ts'
import type { Row, TableDef } from './tables.ts'
import { type ExistingFile, keyOf, newestByKey, overlaps, upsertPlan } from './upsert.ts'

/** What one commit did. */
export interface CommitResult {
  readonly table: string
  readonly rows: number
  readonly files: number
  readonly bytes: number
  /** Attempts the catalog saw (more than one: another writer committed in between). */
  readonly attempts: number
  readonly durationMs: number
  /** Upserted rows that lost to a newer revision already in the table. */
  readonly stale: number
}

/** What a sink asks the catalog (and storage) for: commit a snapshot, or re-read the table. */
export type CatalogOperation = 'commit' | 'refresh' | 'evolve'

/** Options of a sink. */
export interface SinkOptions {
  /** Written into each snapshot's summary. */
  readonly writer: string
  /** Commit attempts after the first (default 10). */
  readonly retries?: number
  /** Where append tables' Parquet is encoded (default: this thread). */
  readonly encoder?: BatchEncoder
  /**
   * Where a row was read from: recovers the position of a table that holds rows but records no
   * offsets (its properties were removed and the snapshots recording them expired).
   */
  readonly lineage?: Lineage
  /** Told of every failed catalog call, retried or not (for the metrics; the error is handled here). */
  readonly onError?: (operation: CatalogOperation, error: unknown) => void
  /** How the table's `healthstream.complete-before` is computed (completeness.ts); none: not recorded. */
  readonly completeness?: CompletenessRule
}

/** Writes and commits the work of one table. */
export class TableSink {
  readonly def: TableDef
  readonly table: Table
  readonly #options: SinkOptions
  /** Written into each snapshot's summary. */
  readonly writer: string
  readonly encoder: BatchEncoder | undefined
  readonly completeness: CompletenessRule | undefined
  /** Keys of live files already read (files are immutable, so this never goes stale). */
  readonly #fileKeys = new Map<string, Set<string>>()

  constructor(def: TableDef, table: Table, options: SinkOptions) {
    this.def = def
    this.table = table
    this.#options = options
    this.writer = options.writer
    this.encoder = options.encoder
    this.completeness = options.completeness
  }

  /**
   * Re-reads the table; returns the offsets and watermark it records. A table that holds rows but
   * records no offsets is never re-filled from the log start: its position is recovered from the
   * rows' Kafka coordinates (source `rows`), or, without a lineage, this throws.
   */
  async refresh(): Promise<RecordedState> {
    try {
      await this.table.refresh()
    } catch (error) {
      this.#options.onError?.('refresh', error)
      throw error
    }
    const state = recordedState(this.table.metadata)
    if (state.source !== 'none') return state
    const files = (await liveEntries(this.table.store, this.table.metadata)).map((e) => e.dataFile)
    if (files.length === 0) return state
    const lineage = this.#options.lineage
    if (lineage === undefined) throw new PositionUnknownError(this.def.name)
    const schema = this.table.schema
    const reads = files.map((f) => async () => readParquet(await this.table.store.get(f.filePath), schema))
    return stateFromRows(reads, lineage, this.def.eventTime)
  }

  /** Adds optional columns (schema evolution); columns another writer added meanwhile are kept as they are. */
  async addColumns(columns: readonly NewColumn[]): Promise<void> {
    try {
      await this.table.addColumns(columns, { ifNotExists: true })
    } catch (error) {
      this.#options.onError?.('evolve', error)
      throw error
    }
  }

  /**
   * Commits the work as one snapshot; throws `FencedError` when another writer owns its partitions
   * now. A catalog or storage failure whose outcome is unknown is retried: the retry finds the
   * snapshot by its commit id if it landed, and is fenced by the offsets otherwise: never twice.
   */
  async commit(work: CommitWork): Promise<CommitResult> {
    const started = Date.now()
    const attempt = new Attempt(this, work)
    for (let round = 1; ; round++) {
      try {
        await this.table.commitChange((base) => attempt.change(base), {
          retries: this.#options.retries ?? 10,
        })
        break
      } catch (error) {
        if (error instanceof Landed) break
        // Fenced is no failure of the catalog: another writer owns the partitions now
        if (!(error instanceof FencedError)) this.#options.onError?.('commit', error)
        // Only when the commit surely did not land may its files go; otherwise orphan cleanup takes them.
        if (error instanceof FencedError || error instanceof CommitConflictError) {
          if (round === 1) await this.remove(attempt.written)
          throw error
        }
        if (!retriable(error) || round >= 5) throw error
        attempt.uncertain = true
        await new Promise((r) => setTimeout(r, 100 * 2 ** round))
      }
    }
    const written = attempt.written
    return {
      table: this.def.name,
      rows: work.rowCount,
      files: written.length,
      bytes: written.reduce((n, f) => n + f.fileSizeInBytes, 0),
      attempts: attempt.attempts,
      durationMs: Date.now() - started,
      stale: attempt.stale,
    }
  }

  /** Deletes files a failed commit wrote (they are in no snapshot). */
  async remove(files: readonly DataFile[]): Promise<void> {
    await Promise.all(files.map((f) => this.table.store.delete(f.filePath).catch(() => undefined)))
  }

  /** The copy-on-write plan of `rows` over the live files of the partitions they fall in. */
  async plan(base: TableMetadata, rows: readonly Row[]) {
    const k = { key: this.def.key!, ...(this.def.version ? { version: this.def.version } : {}) }
    const incoming = newestByKey(rows, k)
    const spec = base.partitionSpecs.find((s) => s.specId === base.defaultSpecId)!
    const schema = this.table.schema
    const bound = bindPartitionSpec(spec, schema)
    const touched = new Set([...incoming.values()].map((r) => partitionTupleKey(partitionOf(bound, r))))
    // Files are read as the table shows them: rows that position deletes erased (by any engine)
    // stay erased in the rewritten copy
    const candidates = (await scanTasks(this.table.store, base)).filter(
      (t) =>
        t.data.dataFile.specId !== spec.specId || touched.has(partitionTupleKey(t.data.dataFile.partition)),
    )
    const affected: ExistingFile[] = []
    for (const task of candidates) {
      const file = task.data.dataFile
      const known = this.#fileKeys.get(file.filePath)
      if (known !== undefined && !overlaps(known, incoming)) continue
      const fileRows = await readLiveRows(this.table.store, schema, task)
      const keys = new Set(fileRows.map((r) => keyOf(r, k.key)))
      this.#fileKeys.set(file.filePath, keys)
      if (overlaps(keys, incoming)) affected.push({ path: file.filePath, rows: fileRows })
    }
    // Rewritten files never come back; a bounded cache is enough to skip the untouched ones.
    if (this.#fileKeys.size > 10_000) this.#fileKeys.clear()
    const plan = upsertPlan(affected, incoming, k)
    return { ...plan, rowDelta: this.#rowDelta(affected, plan.rows) }
  }

  /** Rows per partition the upsert writes minus those of the files it replaces (every affected file). */
  #rowDelta(replaced: readonly ExistingFile[], written: readonly Row[]): PartitionRows[] | undefined {
    const lineage = this.#options.lineage
    if (lineage === undefined) return undefined
    const before = countRows(
      replaced.flatMap((f) => f.rows),
      lineage,
    )
    return rowDelta(before, countRows(written, lineage))
  }
}

/** The snapshot of this commit is already in the table (an earlier attempt landed after all). */
class Landed extends Error {}

function retriable(error: unknown): boolean {
  return isIcebergError(error) && (error.canRetry || error.code === 'COMMIT_STATE_UNKNOWN')
}

/** One commit's state across attempts: its id, the files written so far, the change per base. */
class Attempt {
  readonly #sink: TableSink
  readonly #work: CommitWork
  readonly #id = crypto.randomUUID()
  #files: DataFile[] | undefined
  attempts = 0
  stale = 0
  /** The last catalog call had no clear answer: its files may be in the table, so they must stay. */
  uncertain = false

  constructor(sink: TableSink, work: CommitWork) {
    this.#sink = sink
    this.#work = work
  }

  get written(): DataFile[] {
    return this.#files ?? []
  }

  /** The Parquet files of an append: written once, whatever the number of attempts. */
  async #appendFiles(): Promise<DataFile[]> {
    const { batch, rows } = this.#work
    const { table, encoder } = this.#sink
    if (batch !== undefined) return batch.length > 0 ? table.writeBatchFiles(batch, { encoder }) : []
    return rows.length > 0 ? table.writeDataFiles(rows) : []
  }

  /** The snapshot change on top of `base`: fenced by the offsets, summary merged, files (re)planned. */
  async change(base: TableMetadata): Promise<SnapshotChange> {
    this.attempts++
    // The properties say so even after another engine expired the snapshot
    if (
      base.properties[SummaryKeys.commitId] === this.#id ||
      base.snapshots.some((s) => s.summary[SummaryKeys.commitId] === this.#id)
    )
      throw new Landed()
    const { def, table } = this.#sink
    const state = recordedState(base)
    const problems = fenceViolations(state.offsets, this.#work.expected)
    if (problems.length > 0) throw new FencedError(def.name, problems)
    const summary = {
      ...stateSummary(state, this.#work.next, this.#work.watermark, this.#sink.writer, {
        times: this.#work.times ?? [],
        rule: this.#sink.completeness,
      }),
      [SummaryKeys.commitId]: this.#id,
    }
    if (def.key === undefined) {
      this.#files ??= await this.#appendFiles()
      const rows = rowsSummary(base, this.#work.added)
      return { operation: 'append', added: this.#files, ...withRows(summary, rows) }
    }
    // The files to rewrite depend on the base: drop what a failed attempt wrote, and plan again.
    if (!this.uncertain) await this.#sink.remove(this.written)
    this.uncertain = false
    this.#files = undefined
    const plan = await this.#sink.plan(base, this.#work.rows)
    this.stale = plan.stale
    // Without a lineage the rows cannot be told apart: no counts from here on rather than wrong ones
    const rows = plan.rowDelta === undefined ? {} : rowsSummary(base, plan.rowDelta)
    this.#files = plan.rows.length > 0 ? await table.writeDataFiles(plan.rows) : []
    const operation = plan.deleted.length > 0 ? 'overwrite' : 'append'
    return {
      operation,
      added: this.#files,
      deleted: plan.deleted,
      deletesApplied: true,
      ...withRows(summary, rows),
    }
  }
}

/** The summary and the table properties of a commit: its state, and the row counts in both. */
function withRows(summary: Record<string, string>, rows: Record<string, string>) {
  return { summary: { ...summary, ...rows }, properties: { ...stateProperties(summary), ...rows } }
}
