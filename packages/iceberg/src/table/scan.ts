/**
 * Reading what a snapshot holds: its manifest list, its manifests, and the live data files, with
 * snapshot ids and sequence numbers inherited from the manifest list as the spec requires.
 */
import type { ObjectStore } from '../io/object-store.ts'
import { readManifest } from '../manifest/manifest.ts'
import { readManifestList } from '../manifest/manifest-list.ts'
import { ENTRY_STATUS, type ManifestEntry, type ManifestFile } from '../manifest/types.ts'
import { type BoundPartitionField, bindPartitionSpec } from '../spec/partition.ts'
import type { Snapshot, TableMetadata } from '../spec/types.ts'
import { planScan, type ScanTask } from './delete-index.ts'
import { currentSchema } from './write.ts'

/** A manifest with its entries, inherited values filled in. */
export interface LoadedManifest {
  readonly file: ManifestFile
  readonly entries: ManifestEntry[]
}

/** The snapshot `main` points at, if any. */
export function currentSnapshot(m: TableMetadata): Snapshot | undefined {
  return m.currentSnapshotId === null
    ? undefined
    : m.snapshots.find((s) => s.snapshotId === m.currentSnapshotId)
}

/** Binds every partition spec of the table (used to decode partition values). */
export function boundSpecs(m: TableMetadata): Map<number, BoundPartitionField[]> {
  const schema = currentSchema(m)
  const out = new Map<number, BoundPartitionField[]>()
  for (const spec of m.partitionSpecs) {
    try {
      out.set(spec.specId, bindPartitionSpec(spec, schema))
    } catch {
      // A spec whose source column was dropped cannot be bound; its values stay undecoded.
    }
  }
  return out
}

/** Fills the values a v2 manifest entry may leave null (spec "Sequence Number Inheritance"). */
export function inherit(entry: ManifestEntry, manifest: ManifestFile): ManifestEntry {
  const added = entry.status === ENTRY_STATUS.ADDED
  return {
    ...entry,
    snapshotId: entry.snapshotId ?? manifest.addedSnapshotId,
    sequenceNumber: entry.sequenceNumber ?? (added ? manifest.sequenceNumber : null),
    fileSequenceNumber: entry.fileSequenceNumber ?? (added ? manifest.sequenceNumber : null),
  }
}

/** The manifest-list entries of a snapshot. */
export async function readSnapshotManifests(store: ObjectStore, snapshot: Snapshot): Promise<ManifestFile[]> {
  return readManifestList(await store.get(snapshot.manifestList))
}

/** Reads one manifest with inheritance applied. */
export async function loadManifest(
  store: ObjectStore,
  m: TableMetadata,
  file: ManifestFile,
): Promise<LoadedManifest> {
  const bound = boundSpecs(m).get(file.partitionSpecId)
  const { entries } = readManifest(await store.get(file.manifestPath), bound)
  return { file, entries: entries.map((e) => inherit(e, file)) }
}

/** Every manifest of a snapshot with its entries. */
export async function loadManifests(
  store: ObjectStore,
  m: TableMetadata,
  snapshot: Snapshot,
): Promise<LoadedManifest[]> {
  const files = await readSnapshotManifests(store, snapshot)
  return Promise.all(files.map((f) => loadManifest(store, m, f)))
}

/** The live (added or existing) data-file entries of a snapshot (default: the current one). */
export async function liveEntries(
  store: ObjectStore,
  m: TableMetadata,
  snapshot = currentSnapshot(m),
): Promise<ManifestEntry[]> {
  if (!snapshot) return []
  const manifests = await loadManifests(store, m, snapshot)
  return manifests
    .filter((x) => x.file.content === 0)
    .flatMap((x) => x.entries.filter((e) => e.status !== ENTRY_STATUS.DELETED))
}

/**
 * The live data files of a snapshot (default: the current one), each with the live position delete
 * files that apply to it.
 */
export async function scanTasks(
  store: ObjectStore,
  m: TableMetadata,
  snapshot = currentSnapshot(m),
): Promise<ScanTask[]> {
  if (!snapshot) return []
  const manifests = await loadManifests(store, m, snapshot)
  const live = (content: 0 | 1): ManifestEntry[] =>
    manifests
      .filter((x) => x.file.content === content)
      .flatMap((x) => x.entries.filter((e) => e.status !== ENTRY_STATUS.DELETED))
  return planScan(live(0), live(1))
}
