/** Data files, manifest entries and manifest-list entries as plain data (spec "Manifests"). */
import type { PartitionValues } from '../spec/partition.ts'

/** What a file holds: rows, position deletes, or equality deletes. */
export type FileContent = 0 | 1 | 2

/** Live (existing), newly added, or deleted in the snapshot that wrote the manifest. */
export type EntryStatus = 0 | 1 | 2

/** Manifest entry statuses by name. */
export const ENTRY_STATUS = { EXISTING: 0, ADDED: 1, DELETED: 2 } as const

/** A data (or delete) file with its partition tuple and column metrics. */
export interface DataFile {
  readonly content: FileContent
  /** Full URI, e.g. `file:///lake/t/data/day=2026-11-25/x.parquet` or `s3://bucket/...`. */
  readonly filePath: string
  readonly fileFormat: 'PARQUET' | 'AVRO' | 'ORC'
  /** The spec the partition tuple belongs to. */
  readonly specId: number
  readonly partition: PartitionValues
  readonly recordCount: number
  readonly fileSizeInBytes: number
  readonly columnSizes?: ReadonlyMap<number, number>
  readonly valueCounts?: ReadonlyMap<number, number>
  readonly nullValueCounts?: ReadonlyMap<number, number>
  readonly nanValueCounts?: ReadonlyMap<number, number>
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>
  readonly splitOffsets?: readonly number[]
  readonly sortOrderId?: number
  /** Position delete files only: the one data file all its deletes point at (spec field 143). */
  readonly referencedDataFile?: string
}

/** One row of a manifest. Null sequence numbers / snapshot id are inherited from the manifest list. */
export interface ManifestEntry {
  readonly status: EntryStatus
  readonly snapshotId: bigint | null
  readonly sequenceNumber: number | null
  readonly fileSequenceNumber: number | null
  readonly dataFile: DataFile
}

/** Summary of one partition field over a manifest. */
export interface FieldSummary {
  readonly containsNull: boolean
  readonly containsNan?: boolean
  readonly lowerBound?: Uint8Array
  readonly upperBound?: Uint8Array
}

/** One row of a manifest list. */
export interface ManifestFile {
  readonly manifestPath: string
  readonly manifestLength: number
  readonly partitionSpecId: number
  /** 0 = data, 1 = deletes. */
  readonly content: 0 | 1
  readonly sequenceNumber: number
  readonly minSequenceNumber: number
  readonly addedSnapshotId: bigint
  readonly addedFilesCount: number
  readonly existingFilesCount: number
  readonly deletedFilesCount: number
  readonly addedRowsCount: number
  readonly existingRowsCount: number
  readonly deletedRowsCount: number
  readonly partitions?: readonly FieldSummary[]
}
