/**
 * Deleting rows with position delete files (merge-on-read), committed as a `delete` snapshot.
 *
 * Planning reads the filter column of every live data file the bounds do not rule out, skips rows
 * earlier deletes already removed, and writes one position delete file per data file with matches.
 * The commit is optimistic: on each attempt the plan is checked against that attempt's base. Deletes
 * of data files still live are kept; deletes of files another writer removed (a copy-on-write upsert,
 * a compaction) are dropped, and every data file of the base not planned yet (the rewritten copies,
 * concurrent appends) is planned, so no deleted row survives in a rewritten file.
 */
import { readParquet } from '@healthstream/parquet'
import type { LoadedTable } from '../catalog/catalog.ts'
import { isIcebergError } from '../errors.ts'
import type { ObjectStore } from '../io/object-store.ts'
import type { DataFile } from '../manifest/types.ts'
import type { TableMetadata } from '../spec/types.ts'
import { commitSnapshot, type RetryOptions, type TableContext } from './commit.ts'
import type { ScanTask } from './delete-index.ts'
import { writePositionDeletes } from './position-deletes.ts'
import { type DeleteCache, deletedPositions } from './read-rows.ts'
import { type BoundFilter, bindFilter, matches, mayMatch, type RowFilter } from './row-filter.ts'
import { scanTasks } from './scan.ts'
import { currentSchema } from './write.ts'

/** Options of `deleteRows`. */
export interface DeleteRowsOptions extends RetryOptions {
  /** Summary properties of the delete snapshot, from each attempt's base. */
  readonly summary?: (base: TableMetadata) => Readonly<Record<string, string>>
  /** Data files read at once while planning (default 8). */
  readonly concurrency?: number
  /** Called after each attempt's plan, before its commit (tests inject a concurrent writer here). */
  readonly beforeCommit?: (attempt: number) => Promise<void>
}

/** What `deleteRows` did. */
export interface DeleteRowsResult {
  readonly table: LoadedTable
  /** Rows newly marked deleted. */
  readonly deletedRows: number
  /** Data files that got a position delete file. */
  readonly filesTouched: number
  /** Commit attempts (1 when nobody committed in between). */
  readonly attempts: number
  /** Times the plan had to be extended because the table moved on. */
  readonly replans: number
}

interface Planned {
  readonly deleteFile: DataFile
  readonly rows: number
}

/** Nothing matched: there is no snapshot to commit. */
class NothingToDelete extends Error {}

async function planTask(
  store: ObjectStore,
  m: TableMetadata,
  filter: BoundFilter,
  task: ScanTask,
  cache: DeleteCache,
): Promise<Planned | undefined> {
  if (!mayMatch(filter, task.data.dataFile)) return undefined
  const only = { schemaId: 0, fields: [filter.field] }
  const [rows, deleted] = await Promise.all([
    store.get(task.data.dataFile.filePath).then((b) => readParquet(b, only)),
    deletedPositions(store, task, cache),
  ])
  const positions: number[] = []
  rows.forEach((r, pos) => {
    if (!deleted.has(pos) && matches(filter, r[filter.field.name])) positions.push(pos)
  })
  if (positions.length === 0) return undefined
  const deleteFile = await writePositionDeletes(store, m, task.data.dataFile, positions)
  return { deleteFile, rows: positions.length }
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))))
  return out
}

/** Marks the rows matching `filter` deleted in a new `delete` snapshot (see the module comment). */
export async function deleteRows(
  ctx: TableContext,
  rowFilter: RowFilter,
  options: DeleteRowsOptions = {},
): Promise<DeleteRowsResult> {
  const filter = bindFilter(currentSchema(ctx.loaded.metadata), rowFilter)
  const planned = new Map<string, Planned | undefined>()
  const written: string[] = []
  let attempts = 0
  let replans = 0
  const change = async (base: TableMetadata) => {
    attempts++
    const tasks = await scanTasks(ctx.store, base)
    const live = new Set(tasks.map((t) => t.data.dataFile.filePath))
    const stale = [...planned.keys()].filter((p) => !live.has(p))
    const fresh = tasks.filter((t) => !planned.has(t.data.dataFile.filePath))
    if (attempts > 1 && (stale.length > 0 || fresh.length > 0)) replans++
    for (const p of stale) {
      const gone = planned.get(p)
      if (gone) await ctx.store.delete(gone.deleteFile.filePath).catch(() => undefined)
      planned.delete(p)
    }
    const cache: DeleteCache = new Map()
    const results = await inBatches(fresh, options.concurrency ?? 8, (t) =>
      planTask(ctx.store, base, filter, t, cache),
    )
    fresh.forEach((t, i) => {
      planned.set(t.data.dataFile.filePath, results[i])
      if (results[i]) written.push(results[i].deleteFile.filePath)
    })
    const deletes = [...planned.values()].filter((p) => p !== undefined).map((p) => p.deleteFile)
    if (deletes.length === 0) throw new NothingToDelete()
    await options.beforeCommit?.(attempts)
    return {
      operation: 'delete' as const,
      added: [],
      addedDeletes: deletes,
      ...(options.summary ? { summary: options.summary(base) } : {}),
    }
  }
  const counts = () => {
    const done = [...planned.values()].filter((p) => p !== undefined)
    return { deletedRows: done.reduce((n, p) => n + p.rows, 0), filesTouched: done.length }
  }
  try {
    const table = await commitSnapshot(ctx, change, options)
    return { table, ...counts(), attempts, replans }
  } catch (err) {
    if (err instanceof NothingToDelete)
      return { table: ctx.loaded, deletedRows: 0, filesTouched: 0, attempts, replans }
    // Unless the catalog left the outcome open, no snapshot holds the delete files: remove them
    if (!isIcebergError(err, 'COMMIT_STATE_UNKNOWN'))
      await Promise.all(written.map((p) => ctx.store.delete(p).catch(() => undefined)))
    throw err
  }
}
