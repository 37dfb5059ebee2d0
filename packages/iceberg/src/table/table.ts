/**
 * A small table API over the catalog and object store: write data files, append or overwrite them
 * in a snapshot with summary properties, evolve the schema, and run maintenance. Each committing
 * method refreshes the table to the committed state.
 */

import type { ColumnBatch } from '@healthstream/parquet'
import type { Catalog, CreateTableRequest, LoadedTable } from '../catalog/catalog.ts'
import type { ObjectStore } from '../io/object-store.ts'
import type { DataFile } from '../manifest/types.ts'
import type {
  PartitionSpec,
  Schema,
  Snapshot,
  SnapshotOperation,
  TableIdentifier,
  TableMetadata,
} from '../spec/types.ts'
import { commitSnapshot, commitUpdates, type RetryOptions, type TableContext } from './commit.ts'
import { type CompactOptions, compact } from './compact.ts'
import type { ScanTask } from './delete-index.ts'
import { addColumnsUpdates, type NewColumn } from './evolve.ts'
import { type ExpireOptions, expireSnapshots, type OrphanOptions, removeOrphanFiles } from './maintenance.ts'
import { type DeleteCache, readLiveRows } from './read-rows.ts'
import { type DeleteRowsOptions, type DeleteRowsResult, deleteRows } from './row-delta.ts'
import type { RowFilter } from './row-filter.ts'
import { currentSnapshot, liveEntries, scanTasks } from './scan.ts'
import type { SnapshotChange } from './snapshot-change.ts'
import {
  currentSchema,
  defaultSpec,
  type WriteBatchOptions,
  type WriteDataFilesOptions,
  writeBatchDataFiles,
  writeDataFiles,
} from './write.ts'

type Row = Readonly<Record<string, unknown>>

/** An Iceberg table bound to its catalog and storage. */
export class Table {
  readonly catalog: Catalog
  readonly store: ObjectStore
  #loaded: LoadedTable

  constructor(catalog: Catalog, store: ObjectStore, loaded: LoadedTable) {
    this.catalog = catalog
    this.store = store
    this.#loaded = loaded
  }

  /** Loads a table from a catalog. */
  static async load(catalog: Catalog, store: ObjectStore, id: TableIdentifier): Promise<Table> {
    return new Table(catalog, store, await catalog.loadTable(id))
  }

  /** Creates a table in a catalog. */
  static async create(
    catalog: Catalog,
    store: ObjectStore,
    id: TableIdentifier,
    request: CreateTableRequest,
  ): Promise<Table> {
    return new Table(catalog, store, await catalog.createTable(id, request))
  }

  get identifier(): TableIdentifier {
    return this.#loaded.identifier
  }
  get metadata(): TableMetadata {
    return this.#loaded.metadata
  }
  get metadataLocation(): string {
    return this.#loaded.metadataLocation
  }
  get schema(): Schema {
    return currentSchema(this.metadata)
  }
  get spec(): PartitionSpec {
    return defaultSpec(this.metadata)
  }
  get currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata)
  }

  #ctx(): TableContext {
    return { catalog: this.catalog, store: this.store, loaded: this.#loaded }
  }

  #set(loaded: LoadedTable): this {
    this.#loaded = loaded
    return this
  }

  /** Re-reads the table from the catalog. */
  async refresh(): Promise<this> {
    return this.#set(await this.catalog.loadTable(this.identifier))
  }

  /** Writes rows as Parquet files (partitioned by the default spec) without committing them. */
  writeDataFiles(rows: readonly Row[], options?: WriteDataFilesOptions): Promise<DataFile[]> {
    return writeDataFiles(this.store, this.metadata, rows, options)
  }

  /** Writes a batch of rows kept as columns as Parquet files (default spec) without committing them. */
  writeBatchFiles(batch: ColumnBatch, options?: WriteBatchOptions): Promise<DataFile[]> {
    return writeBatchDataFiles(this.store, this.metadata, batch, options)
  }

  /** Starts an append: `newAppend().appendFile(f).set('k', 'v').commit()`. */
  newAppend(): SnapshotBuilder {
    return new SnapshotBuilder(
      this,
      'append',
      (loaded) => this.#set(loaded),
      () => this.#ctx(),
    )
  }

  /** Starts a copy-on-write overwrite: remove some data files and add their replacements in one snapshot. */
  newOverwrite(): SnapshotBuilder {
    return new SnapshotBuilder(
      this,
      'overwrite',
      (loaded) => this.#set(loaded),
      () => this.#ctx(),
    )
  }

  /**
   * Commits a snapshot computed from the base metadata of each attempt: after a conflict the table is
   * re-read and `change` is called again, so summary properties (e.g. consumed offsets merged with
   * other writers') and removed files (copy-on-write) always fit the snapshot they are committed on.
   * `change` may throw to give up.
   */
  async commitChange(
    change: (base: TableMetadata) => SnapshotChange | Promise<SnapshotChange>,
    options?: RetryOptions,
  ): Promise<this> {
    return this.#set(await commitSnapshot(this.#ctx(), change, options))
  }

  /** Writes rows and appends them in one snapshot with the given summary properties. */
  async append(rows: readonly Row[], summary: Readonly<Record<string, string>> = {}): Promise<this> {
    const files = await this.writeDataFiles(rows)
    const builder = this.newAppend().appendFiles(files)
    for (const [k, v] of Object.entries(summary)) builder.set(k, v)
    await builder.commit()
    return this
  }

  /** Live data files of the current snapshot. */
  async dataFiles(): Promise<DataFile[]> {
    return (await liveEntries(this.store, this.metadata)).map((e) => e.dataFile)
  }

  /** Live data files of the current snapshot, each with the position delete files that apply to it. */
  scanTasks(): Promise<ScanTask[]> {
    return scanTasks(this.store, this.metadata)
  }

  /** Reads every row of the current snapshot, position deletes applied (for small tables, tests, and tools). */
  async readRows(): Promise<Record<string, unknown>[]> {
    const cache: DeleteCache = new Map()
    const tasks = await this.scanTasks()
    const parts = await Promise.all(tasks.map((t) => readLiveRows(this.store, this.schema, t, cache)))
    return parts.flat()
  }

  /**
   * Deletes the rows where `filter.column` is one of `filter.in` with position delete files (one per
   * data file with matches) in a `delete` snapshot; re-plans if another writer rewrote a file meanwhile.
   */
  async deleteRows(filter: RowFilter, options?: DeleteRowsOptions): Promise<Omit<DeleteRowsResult, 'table'>> {
    const { table, ...result } = await deleteRows(this.#ctx(), filter, options)
    this.#set(table)
    return result
  }

  /** Adds optional columns (schema evolution); existing names are skipped with `ifNotExists`. */
  async addColumns(
    columns: readonly NewColumn[],
    options: { ifNotExists?: boolean } & RetryOptions = {},
  ): Promise<this> {
    return this.#set(
      await commitUpdates(this.#ctx(), (m) => addColumnsUpdates(m, columns, options.ifNotExists), options),
    )
  }

  /** Sets table properties. */
  async setProperties(updates: Readonly<Record<string, string>>): Promise<this> {
    return this.#set(
      await commitUpdates(this.#ctx(), () => ({
        requirements: [],
        updates: [{ action: 'set-properties', updates }],
      })),
    )
  }

  /** Removes table properties (absent names are ignored). */
  async removeProperties(removals: readonly string[]): Promise<this> {
    return this.#set(
      await commitUpdates(this.#ctx(), () => ({
        requirements: [],
        updates: [{ action: 'remove-properties', removals }],
      })),
    )
  }

  /** Expires old snapshots and deletes the files only they used. */
  async expireSnapshots(options?: ExpireOptions): Promise<{ expired: bigint[]; deletedFiles: string[] }> {
    const { table, expired, deletedFiles } = await expireSnapshots(this.#ctx(), options)
    this.#set(table)
    return { expired, deletedFiles }
  }

  /** Rewrites small files into bigger ones (a `replace` snapshot). */
  async compact(options?: CompactOptions): Promise<{ rewrittenFiles: number; addedFiles: number }> {
    const { table, rewrittenFiles, addedFiles } = await compact(this.#ctx(), options)
    this.#set(table)
    return { rewrittenFiles, addedFiles }
  }

  /** Deletes files under the table location that no metadata refers to. */
  removeOrphanFiles(options?: OrphanOptions): Promise<string[]> {
    return removeOrphanFiles(this.#ctx(), options)
  }
}

/** Collects the files and summary properties of one snapshot, then commits it (retrying on conflict). */
export class SnapshotBuilder {
  readonly #added: DataFile[] = []
  readonly #deleted = new Set<string>()
  readonly #summary: Record<string, string> = {}
  readonly #operation: SnapshotOperation
  readonly #table: Table
  readonly #done: (loaded: LoadedTable) => void
  readonly #ctx: () => TableContext

  constructor(
    table: Table,
    operation: SnapshotOperation,
    done: (loaded: LoadedTable) => void,
    ctx: () => TableContext,
  ) {
    this.#table = table
    this.#operation = operation
    this.#done = done
    this.#ctx = ctx
  }

  /** Adds a data file. */
  appendFile(file: DataFile): this {
    this.#added.push(file)
    return this
  }

  /** Adds data files. */
  appendFiles(files: readonly DataFile[]): this {
    this.#added.push(...files)
    return this
  }

  /** Removes a live data file (overwrite only); the commit fails if another writer removed it first. */
  deleteFile(file: DataFile | string): this {
    this.#deleted.add(typeof file === 'string' ? file : file.filePath)
    return this
  }

  /** Sets a snapshot summary property. */
  set(key: string, value: string): this {
    this.#summary[key] = value
    return this
  }

  /** Commits the snapshot; the table now shows it. */
  async commit(options?: RetryOptions): Promise<Table> {
    const operation = this.#operation === 'overwrite' && this.#deleted.size === 0 ? 'append' : this.#operation
    const change = { operation, added: this.#added, deleted: [...this.#deleted], summary: this.#summary }
    this.#done(await commitSnapshot(this.#ctx(), change, options))
    return this.#table
  }
}
