/** Writing and reading manifest lists (Avro, format v2), and partition field summaries. */

import type { PrimitiveValue } from '@healthstream/parquet'
import { readAvroFile, writeAvroFile } from '../avro/container.ts'
import type { BoundPartitionField, PartitionValues } from '../spec/partition.ts'
import { toBytes } from '../spec/single-value.ts'
import { MANIFEST_FILE_SCHEMA } from './avro-schemas.ts'
import type { FieldSummary, ManifestFile } from './types.ts'

type AvroRecord = Record<string, unknown>

/** Header metadata of a manifest list. */
export interface ManifestListContext {
  readonly snapshotId: bigint
  readonly parentSnapshotId?: bigint
  readonly sequenceNumber: number
}

/** Serializes manifest-list entries. */
export function writeManifestList(ctx: ManifestListContext, manifests: readonly ManifestFile[]): Uint8Array {
  const records = manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
          upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
        }))
      : null,
    key_metadata: null,
  }))
  return writeAvroFile(MANIFEST_FILE_SCHEMA, records, {
    'snapshot-id': ctx.snapshotId.toString(),
    'parent-snapshot-id': ctx.parentSnapshotId?.toString() ?? 'null',
    'sequence-number': String(ctx.sequenceNumber),
    'format-version': '2',
  })
}

const n = (v: unknown): number => Number(v as bigint)

/** Reads manifest-list entries. */
export function readManifestList(data: Uint8Array): ManifestFile[] {
  return readAvroFile(data).records.map((rec) => {
    const r = rec as AvroRecord
    const partitions = r.partitions as AvroRecord[] | null | undefined
    return {
      manifestPath: r.manifest_path as string,
      manifestLength: n(r.manifest_length),
      partitionSpecId: r.partition_spec_id as number,
      content: ((r.content as number | undefined) ?? 0) as 0 | 1,
      sequenceNumber: n(r.sequence_number ?? 0n),
      minSequenceNumber: n(r.min_sequence_number ?? 0n),
      addedSnapshotId: r.added_snapshot_id as bigint,
      addedFilesCount: (r.added_files_count as number | null) ?? 0,
      existingFilesCount: (r.existing_files_count as number | null) ?? 0,
      deletedFilesCount: (r.deleted_files_count as number | null) ?? 0,
      addedRowsCount: n(r.added_rows_count ?? 0n),
      existingRowsCount: n(r.existing_rows_count ?? 0n),
      deletedRowsCount: n(r.deleted_rows_count ?? 0n),
      ...(partitions
        ? {
            partitions: partitions.map((p) => ({
              containsNull: p.contains_null as boolean,
              ...(p.contains_nan != null ? { containsNan: p.contains_nan as boolean } : {}),
              ...(p.lower_bound != null ? { lowerBound: new Uint8Array(p.lower_bound as Uint8Array) } : {}),
              ...(p.upper_bound != null ? { upperBound: new Uint8Array(p.upper_bound as Uint8Array) } : {}),
            })),
          }
        : {}),
    }
  })
}

/** Orders two partition values of the same type (bytes and strings by unsigned bytes, as Iceberg). */
export function compareValues(a: PrimitiveValue, b: PrimitiveValue): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
    return a.length - b.length
  }
  if (typeof a === 'string' && typeof b === 'string') {
    const enc = new TextEncoder()
    return compareValues(enc.encode(a), enc.encode(b))
  }
  return a < b ? -1 : a > b ? 1 : 0
}

/** Summaries of each partition field over the tuples of a manifest's files. */
export function summarizePartitions(
  bound: readonly BoundPartitionField[],
  tuples: readonly PartitionValues[],
): FieldSummary[] {
  return bound.map((b, i) => {
    let containsNull = false
    let containsNan = false
    let lower: PrimitiveValue | undefined
    let upper: PrimitiveValue | undefined
    for (const t of tuples) {
      const v = t[i] ?? null
      if (v === null) containsNull = true
      else if (typeof v === 'number' && Number.isNaN(v)) containsNan = true
      else {
        if (lower === undefined || compareValues(v, lower) < 0) lower = v
        if (upper === undefined || compareValues(v, upper) > 0) upper = v
      }
    }
    const isFloat = b.resultType === 'float' || b.resultType === 'double'
    return {
      containsNull,
      ...(isFloat ? { containsNan } : {}),
      ...(lower !== undefined ? { lowerBound: toBytes(b.resultType, lower) } : {}),
      ...(upper !== undefined ? { upperBound: toBytes(b.resultType, upper) } : {}),
    }
  })
}
