/**
 * Table maintenance: expiring old snapshots (and deleting the files only they used) and removing
 * orphan files (written by failed or abandoned commits, referenced by no metadata).
 */
import type { LoadedTable } from '../catalog/catalog.ts'
import { localPath } from '../io/local.ts'
import type { ObjectStore } from '../io/object-store.ts'
import { ENTRY_STATUS } from '../manifest/types.ts'
import type { Snapshot, TableMetadata } from '../spec/types.ts'
import { commitUpdates, type RetryOptions, type TableContext } from './commit.ts'
import { loadManifest, readSnapshotManifests } from './scan.ts'

const DAY_MS = 86_400_000

/** Options of `expireSnapshots`. */
export interface ExpireOptions extends RetryOptions {
  /** Snapshots older than this may go (default: 5 days ago, the reference default). */
  readonly olderThanMs?: number
  /** Ancestors of each branch head always kept, the head included (default 1). */
  readonly retainLast?: number
  /** Delete manifest lists, manifests and data files only expired snapshots used (default true). */
  readonly deleteFiles?: boolean
  /**
   * Snapshot ids kept besides those the age and count rules keep, computed from each attempt's base
   * (a writer that keeps its state in a snapshot's summary keeps that snapshot and its descendants).
   */
  readonly keep?: (m: TableMetadata) => Iterable<bigint>
}

/** Snapshot ids to keep: every ref's head and, per branch, its recent or first `retainLast` ancestors. */
export function snapshotsToRetain(m: TableMetadata, olderThanMs: number, retainLast: number): Set<bigint> {
  const byId = new Map(m.snapshots.map((s) => [s.snapshotId, s]))
  const keep = new Set<bigint>()
  for (const ref of Object.values(m.refs)) {
    keep.add(ref.snapshotId)
    if (ref.type !== 'branch') continue
    const minKeep = ref.minSnapshotsToKeep ?? retainLast
    const cutoff = ref.maxSnapshotAgeMs !== undefined ? Date.now() - ref.maxSnapshotAgeMs : olderThanMs
    let s: Snapshot | undefined = byId.get(ref.snapshotId)
    for (let n = 0; s; n++, s = s.parentSnapshotId === undefined ? undefined : byId.get(s.parentSnapshotId)) {
      if (n >= minKeep && s.timestampMs < cutoff) break
      keep.add(s.snapshotId)
    }
  }
  for (const s of m.snapshots) if (s.timestampMs >= olderThanMs) keep.add(s.snapshotId)
  return keep
}

/** Files a set of snapshots reaches: manifest lists, manifests, and data files (`live` only, or all entries). */
async function reachable(
  store: ObjectStore,
  m: TableMetadata,
  snapshots: readonly Snapshot[],
  liveOnly: boolean,
): Promise<Set<string>> {
  const out = new Set<string>()
  const seen = new Set<string>()
  for (const s of snapshots) {
    out.add(s.manifestList)
    for (const file of await readSnapshotManifests(store, s)) {
      out.add(file.manifestPath)
      if (seen.has(file.manifestPath)) continue
      seen.add(file.manifestPath)
      const { entries } = await loadManifest(store, m, file)
      for (const e of entries)
        if (!liveOnly || e.status !== ENTRY_STATUS.DELETED) out.add(e.dataFile.filePath)
    }
  }
  return out
}

/** Removes old snapshots from the table, then deletes the files nothing retained refers to. */
export async function expireSnapshots(
  ctx: TableContext,
  options: ExpireOptions = {},
): Promise<{ table: LoadedTable; expired: bigint[]; deletedFiles: string[] }> {
  const olderThan = options.olderThanMs ?? Date.now() - 5 * DAY_MS
  let expired: Snapshot[] = []
  const table = await commitUpdates(
    ctx,
    (m) => {
      const keep = snapshotsToRetain(m, olderThan, options.retainLast ?? 1)
      for (const id of options.keep?.(m) ?? []) keep.add(id)
      expired = m.snapshots.filter((s) => !keep.has(s.snapshotId))
      if (expired.length === 0) return { requirements: [], updates: [] }
      return {
        requirements: [{ type: 'assert-table-uuid', uuid: m.tableUuid }],
        updates: [{ action: 'remove-snapshots', snapshotIds: expired.map((s) => s.snapshotId) }],
      }
    },
    options,
  )
  const deletedFiles: string[] = []
  if (expired.length > 0 && options.deleteFiles !== false) {
    const before = await reachable(ctx.store, ctx.loaded.metadata, expired, false)
    const still = await reachable(ctx.store, table.metadata, table.metadata.snapshots, true)
    for (const f of before) {
      if (still.has(f)) continue
      await ctx.store.delete(f)
      deletedFiles.push(f)
    }
  }
  return { table, expired: expired.map((s) => s.snapshotId), deletedFiles }
}

/** A comparable form of a location: `file:/x`, `file:///x` and `/x` are one file. */
export function normalizeLocation(location: string): string {
  if (location.startsWith('file:') || location.startsWith('/')) return localPath(location)
  return location.replace(/^s3[an]:\/\//, 's3://')
}

/** Options of `removeOrphanFiles`. */
export interface OrphanOptions {
  /** Only files older than this are removed, so in-flight commits keep theirs (default 3 days ago). */
  readonly olderThanMs?: number
  /** List what would be removed without removing it. */
  readonly dryRun?: boolean
}

/** Deletes files under the table location that no metadata refers to; returns their locations. */
export async function removeOrphanFiles(ctx: TableContext, options: OrphanOptions = {}): Promise<string[]> {
  const m = ctx.loaded.metadata
  const olderThan = options.olderThanMs ?? Date.now() - 3 * DAY_MS
  const referenced = await reachable(ctx.store, m, m.snapshots, true)
  referenced.add(ctx.loaded.metadataLocation)
  for (const e of m.metadataLog) referenced.add(e.metadataFile)
  for (const s of [...m.statistics, ...m.partitionStatistics]) {
    const path = (s as Record<string, unknown>)['statistics-path']
    if (typeof path === 'string') referenced.add(path)
  }
  const known = new Set([...referenced].map(normalizeLocation))
  const orphans = (await ctx.store.list(`${m.location}/`))
    .filter((o) => o.lastModifiedMs < olderThan && !known.has(normalizeLocation(o.location)))
    .map((o) => o.location)
  if (!options.dryRun) for (const o of orphans) await ctx.store.delete(o)
  return orphans
}
