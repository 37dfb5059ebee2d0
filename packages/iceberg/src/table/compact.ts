/**
 * Compaction: per partition, small data files are read and rewritten into files near a target
 * size, committed as one `replace` snapshot (same rows, fewer files). The files of a partition are
 * rewritten in bins of at most `maxRowsPerRewrite` rows (by the record counts the manifests keep), so
 * the rows held in memory at once are bounded however many small files a partition has gathered.
 */

import type { LoadedTable } from '../catalog/catalog.ts'
import { IcebergError } from '../errors.ts'
import type { DataFile } from '../manifest/types.ts'
import { partitionTupleKey } from '../spec/partition.ts'
import type { TableMetadata } from '../spec/types.ts'
import { commitSnapshot, type TableContext } from './commit.ts'
import type { ScanTask } from './delete-index.ts'
import { type DeleteCache, readLiveRows } from './read-rows.ts'
import { scanTasks } from './scan.ts'
import { currentSchema, defaultSpec, writeDataFiles } from './write.ts'

/** Options of `compact`. */
export interface CompactOptions {
  /** Size the rewritten files aim at (default 128 MiB). */
  readonly targetFileSizeBytes?: number
  /** Files below this size are rewritten (default 75% of the target). */
  readonly smallFileSizeBytes?: number
  /** A partition (or a bin of it) is rewritten only when it has at least this many small files (default 2). */
  readonly minInputFiles?: number
  /** The most rows one rewrite reads into memory (default: no bound); a bigger partition goes in several bins. */
  readonly maxRowsPerRewrite?: number
  /**
   * Summary properties of the compaction snapshot, computed from the base metadata of each commit
   * attempt (writers that keep state in the summary, e.g. consumed offsets, carry it forward).
   */
  readonly summary?: (base: TableMetadata) => Readonly<Record<string, string>>
}

/** What a compaction did. */
export interface CompactResult {
  readonly table: LoadedTable
  readonly rewrittenFiles: number
  readonly addedFiles: number
}

function groupKey(f: DataFile): string {
  return `${f.specId}:${partitionTupleKey(f.partition)}`
}

const deleteSet = (t: ScanTask): string =>
  t.deletes
    .map((d) => d.dataFile.filePath)
    .sort()
    .join('\n')

/**
 * The rewrite was read with some delete files applied; if another writer added deletes to an input
 * file since, the rewritten rows would bring those rows back. Give up (`COMMIT_CONFLICT`, retry later).
 */
function assertSameDeletes(read: ReadonlyMap<string, string>, now: readonly ScanTask[]): void {
  for (const t of now) {
    const seen = read.get(t.data.dataFile.filePath)
    if (seen !== undefined && seen !== deleteSet(t))
      throw new IcebergError(
        'COMMIT_CONFLICT',
        `rows of ${t.data.dataFile.filePath} were deleted during compaction; run it again`,
        { canRetry: true },
      )
  }
}

/** Consecutive files of one partition, each bin holding at most `maxRows` rows (a file alone may hold more). */
function bins(files: readonly DataFile[], maxRows: number): DataFile[][] {
  const out: DataFile[][] = []
  let bin: DataFile[] = []
  let rows = 0
  for (const f of files) {
    const n = f.recordCount
    if (bin.length > 0 && rows + n > maxRows) {
      out.push(bin)
      bin = []
      rows = 0
    }
    bin.push(f)
    rows += n
  }
  if (bin.length > 0) out.push(bin)
  return out
}

/** Rewrites small files of the current snapshot; files of older partition specs are left alone. */
export async function compact(ctx: TableContext, options: CompactOptions = {}): Promise<CompactResult> {
  const m = ctx.loaded.metadata
  const target = options.targetFileSizeBytes ?? 128 * 1024 * 1024
  const small = options.smallFileSizeBytes ?? target * 0.75
  const spec = defaultSpec(m)
  const groups = new Map<string, DataFile[]>()
  const tasks = new Map((await scanTasks(ctx.store, m)).map((t) => [t.data.dataFile.filePath, t]))
  for (const { data } of tasks.values()) {
    const dataFile = data.dataFile
    if (dataFile.specId !== spec.specId || dataFile.fileSizeInBytes >= small || dataFile.content !== 0)
      continue
    const key = groupKey(dataFile)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [dataFile])
    else group.push(dataFile)
  }
  const maxRows = options.maxRowsPerRewrite ?? Number.POSITIVE_INFINITY
  const inputs = [...groups.values()]
    .flatMap((g) => bins(g, maxRows))
    .filter((bin) => bin.length >= (options.minInputFiles ?? 2))
  if (inputs.length === 0) return { table: ctx.loaded, rewrittenFiles: 0, addedFiles: 0 }
  const schema = currentSchema(m)
  const added: DataFile[] = []
  const cache: DeleteCache = new Map()
  const read = new Map<string, string>()
  for (const files of inputs) {
    const rows = (
      await Promise.all(
        files.map((f) => {
          const task = tasks.get(f.filePath)!
          read.set(f.filePath, deleteSet(task))
          return readLiveRows(ctx.store, schema, task, cache)
        }),
      )
    ).flat()
    const bytesPerRow = files.reduce((n, f) => n + f.fileSizeInBytes, 0) / Math.max(1, rows.length)
    const maxRowsPerFile = Math.max(1, Math.floor(target / Math.max(bytesPerRow, 1)))
    added.push(...(await writeDataFiles(ctx.store, m, rows, { schema, spec, maxRowsPerFile })))
  }
  const deleted = inputs.flat().map((f) => f.filePath)
  const summary = options.summary
  const table = await commitSnapshot(ctx, async (base) => {
    assertSameDeletes(read, await scanTasks(ctx.store, base))
    return {
      operation: 'replace' as const,
      added,
      deleted,
      deletesApplied: true,
      ...(m.currentSnapshotId !== null ? { readAt: m.currentSnapshotId } : {}),
      ...(summary ? { summary: summary(base) } : {}),
    }
  })
  return { table, rewrittenFiles: deleted.length, addedFiles: added.length }
}
