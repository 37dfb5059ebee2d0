/** Where new files of a table go, and how new snapshot ids are drawn. */
import { joinLocation } from '../io/object-store.ts'
import type { TableMetadata } from '../spec/types.ts'

/** Base of data files: `write.data.path` if set (absolute, or relative to the table), else `<table>/data`. */
export function dataLocation(m: TableMetadata): string {
  const p = m.properties['write.data.path']
  if (!p) return joinLocation(m.location, 'data')
  return /^[a-z][a-z0-9+.-]*:|^\//i.test(p) ? p.replace(/\/+$/, '') : joinLocation(m.location, p)
}

/** Base of metadata files (manifests, manifest lists): `write.metadata.path` or `<table>/metadata`. */
export function metadataLocation(m: TableMetadata): string {
  const p = m.properties['write.metadata.path']
  if (!p) return joinLocation(m.location, 'metadata')
  return /^[a-z][a-z0-9+.-]*:|^\//i.test(p) ? p.replace(/\/+$/, '') : joinLocation(m.location, p)
}

/** A new data file location: `<data>/<partition path>/<uuid>.parquet`. */
export function newDataFileLocation(m: TableMetadata, partitionPath: string): string {
  const name = `${crypto.randomUUID()}.parquet`
  return partitionPath
    ? joinLocation(dataLocation(m), partitionPath, name)
    : joinLocation(dataLocation(m), name)
}

/** A new manifest location. */
export function newManifestLocation(m: TableMetadata, commitId: string, index: number): string {
  return joinLocation(metadataLocation(m), `${commitId}-m${index}.avro`)
}

/** A new manifest-list location, named like the reference implementation's. */
export function newManifestListLocation(
  m: TableMetadata,
  snapshotId: bigint,
  attempt: number,
  commitId: string,
): string {
  return joinLocation(metadataLocation(m), `snap-${snapshotId}-${attempt}-${commitId}.avro`)
}

/**
 * A positive random 63-bit snapshot id (the reference XORs the halves of a random UUID; any
 * uniform positive long will do), distinct from the table's existing ids.
 */
export function newSnapshotId(m: TableMetadata): bigint {
  const taken = new Set(m.snapshots.map((s) => s.snapshotId))
  for (;;) {
    const [hi, lo] = crypto.getRandomValues(new BigUint64Array(2))
    const id = (hi! ^ lo!) & 0x7fff_ffff_ffff_ffffn
    if (id !== 0n && !taken.has(id)) return id
  }
}
