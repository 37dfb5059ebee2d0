/**
 * Reading the rows of a data file as the table shows them: the rows its applicable position delete
 * files mark are left out (so scans, compaction and copy-on-write rewrites never bring them back).
 */
import { readParquet } from '@healthstream/parquet'
import type { ObjectStore } from '../io/object-store.ts'
import type { Schema } from '../spec/types.ts'
import type { ScanTask } from './delete-index.ts'
import { readPositionDeletes } from './position-deletes.ts'

type Row = Record<string, unknown>

/** Delete files already read in one scan, by location (a partition-wide file applies to many data files). */
export type DeleteCache = Map<string, Promise<Map<string, Set<number>>>>

/** The positions of a task's data file that its delete files mark as deleted. */
export async function deletedPositions(
  store: ObjectStore,
  task: ScanTask,
  cache: DeleteCache = new Map(),
): Promise<Set<number>> {
  const out = new Set<number>()
  for (const d of task.deletes) {
    const path = d.dataFile.filePath
    let read = cache.get(path)
    if (read === undefined) {
      read = store.get(path).then(readPositionDeletes)
      cache.set(path, read)
    }
    for (const pos of (await read).get(task.data.dataFile.filePath) ?? []) out.add(pos)
  }
  return out
}

/** The rows of a task's data file (in `schema`) minus those its delete files mark. */
export async function readLiveRows(
  store: ObjectStore,
  schema: Schema,
  task: ScanTask,
  cache?: DeleteCache,
): Promise<Row[]> {
  const [rows, deleted] = await Promise.all([
    store.get(task.data.dataFile.filePath).then((b) => readParquet(b, schema)),
    deletedPositions(store, task, cache),
  ])
  return deleted.size === 0 ? rows : rows.filter((_, pos) => !deleted.has(pos))
}
