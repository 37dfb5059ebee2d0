/** Snapshot summaries: the spec's optional metrics (Appendix F) plus the caller's properties. */
import type { DataFile, ManifestFile } from '../manifest/types.ts'
import type { Snapshot, SnapshotSummary } from '../spec/types.ts'
import type { SnapshotChange } from './snapshot-change.ts'

function partitionKey(f: DataFile): string {
  return `${f.specId}:${JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? [...v] : v))}`
}

/** Files a snapshot takes out of the table: data files, and the position delete files that named them. */
export interface RemovedFiles {
  readonly removed: readonly DataFile[]
  readonly removedDeletes: readonly DataFile[]
}

/**
 * Computes the summary: added/deleted/total counts (data and position delete files), sizes, changed
 * partitions, then caller keys.
 */
export function buildSummary(
  change: SnapshotChange,
  { removed, removedDeletes }: RemovedFiles,
  manifests: readonly ManifestFile[],
  parent?: Snapshot,
): SnapshotSummary {
  const sum = (files: readonly DataFile[], pick: (f: DataFile) => number): number =>
    files.reduce((n, f) => n + pick(f), 0)
  const data = manifests.filter((m) => m.content === 0)
  const deletes = manifests.filter((m) => m.content === 1)
  const addedDeletes = change.addedDeletes ?? []
  const parentSize = Number(parent?.summary['total-files-size'] ?? 0)
  const addedSize = sum([...change.added, ...addedDeletes], (f) => f.fileSizeInBytes)
  const removedSize = sum([...removed, ...removedDeletes], (f) => f.fileSizeInBytes)
  const metrics: Record<string, number> = {
    'added-data-files': change.added.length,
    'deleted-data-files': removed.length,
    'added-records': sum(change.added, (f) => f.recordCount),
    'deleted-records': sum(removed, (f) => f.recordCount),
    'added-delete-files': addedDeletes.length,
    'added-position-delete-files': addedDeletes.length,
    'added-position-deletes': sum(addedDeletes, (f) => f.recordCount),
    'removed-delete-files': removedDeletes.length,
    'removed-position-delete-files': removedDeletes.length,
    'removed-position-deletes': sum(removedDeletes, (f) => f.recordCount),
    'added-files-size': addedSize,
    'removed-files-size': removedSize,
    'changed-partition-count': new Set(
      [...change.added, ...removed, ...addedDeletes, ...removedDeletes].map(partitionKey),
    ).size,
  }
  const out: Record<string, string> = { ...change.summary }
  // Zero-valued added/deleted metrics are left out, as the reference implementation does.
  for (const [k, v] of Object.entries(metrics))
    if (v > 0 || k === 'changed-partition-count') out[k] = String(v)
  Object.assign(out, {
    'total-data-files': String(data.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0)),
    'total-records': String(data.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0)),
    'total-files-size': String(Math.max(0, parentSize + addedSize - removedSize)),
    'total-delete-files': String(deletes.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0)),
    'total-position-deletes': String(deletes.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0)),
    'total-equality-deletes': '0',
  })
  return { ...out, operation: change.operation }
}
