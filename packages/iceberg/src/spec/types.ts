/**
 * The Iceberg table model (format version 2) as plain immutable data. Names are camelCase here;
 * `metadata-json.ts` maps them to the spec's JSON. Snapshot ids are `bigint` everywhere because
 * they are random 63-bit numbers; counts, sizes, sequence numbers and timestamps are `number`.
 */
import type { PrimitiveType } from '@healthstream/parquet'
import type { JsonValue } from '../json/lossless.ts'

/**
 * Primitive types by their JSON name (Appendix C): `decimal(P,S)` and `fixed[L]` are normalized. The
 * Parquet writer names the same types, so the one list lives there.
 */
export type { PrimitiveType }

/** A struct: an ordered list of fields with ids. */
export interface StructType {
  readonly type: 'struct'
  readonly fields: readonly NestedField[]
}

/** A list whose element has its own field id. */
export interface ListType {
  readonly type: 'list'
  readonly elementId: number
  readonly element: IcebergType
  readonly elementRequired: boolean
}

/** A map whose key and value have their own field ids. */
export interface MapType {
  readonly type: 'map'
  readonly keyId: number
  readonly key: IcebergType
  readonly valueId: number
  readonly value: IcebergType
  readonly valueRequired: boolean
}

/** Any Iceberg type. */
export type IcebergType = PrimitiveType | StructType | ListType | MapType

/** A field of a struct (or schema) with its permanent id. */
export interface NestedField {
  readonly id: number
  readonly name: string
  readonly type: IcebergType
  readonly required: boolean
  readonly doc?: string
  /** Default for rows written before the field existed, JSON single-value form (Appendix D). */
  readonly initialDefault?: JsonValue
  readonly writeDefault?: JsonValue
}

/** A table schema: the top-level struct plus its id. */
export interface Schema {
  readonly schemaId: number
  readonly fields: readonly NestedField[]
  readonly identifierFieldIds?: readonly number[]
}

/** One field of a partition spec; `fieldId` starts at 1000 and is unique across specs. */
export interface PartitionField {
  readonly sourceId: number
  readonly fieldId: number
  readonly name: string
  /** `identity`, `bucket[N]`, `truncate[W]`, `year`, `month`, `day`, `hour` or `void`. */
  readonly transform: string
}

/** How rows map to partition tuples. */
export interface PartitionSpec {
  readonly specId: number
  readonly fields: readonly PartitionField[]
}

/** One field of a sort order. */
export interface SortField {
  readonly sourceId: number
  readonly transform: string
  readonly direction: 'asc' | 'desc'
  readonly nullOrder: 'nulls-first' | 'nulls-last'
}

/** A sort order; order id 0 is reserved for "unsorted". */
export interface SortOrder {
  readonly orderId: number
  readonly fields: readonly SortField[]
}

/** The snapshot operations of the spec. */
export type SnapshotOperation = 'append' | 'replace' | 'overwrite' | 'delete'

/** A snapshot summary: `operation` plus string properties (metrics and caller-provided keys). */
export type SnapshotSummary = { readonly operation: SnapshotOperation } & { readonly [key: string]: string }

/** One version of the table's data. */
export interface Snapshot {
  readonly snapshotId: bigint
  readonly parentSnapshotId?: bigint
  readonly sequenceNumber: number
  readonly timestampMs: number
  readonly manifestList: string
  readonly summary: SnapshotSummary
  readonly schemaId?: number
}

/** A named branch or tag. */
export interface SnapshotRef {
  readonly snapshotId: bigint
  readonly type: 'branch' | 'tag'
  readonly minSnapshotsToKeep?: number
  readonly maxSnapshotAgeMs?: number
  readonly maxRefAgeMs?: number
}

/** An entry of the snapshot log: when the current snapshot changed to which id. */
export interface SnapshotLogEntry {
  readonly timestampMs: number
  readonly snapshotId: bigint
}

/** An entry of the metadata log: a previous metadata file. */
export interface MetadataLogEntry {
  readonly timestampMs: number
  readonly metadataFile: string
}

/** Table metadata, format version 2. */
export interface TableMetadata {
  readonly formatVersion: 2
  readonly tableUuid: string
  readonly location: string
  readonly lastSequenceNumber: number
  readonly lastUpdatedMs: number
  readonly lastColumnId: number
  readonly schemas: readonly Schema[]
  readonly currentSchemaId: number
  readonly partitionSpecs: readonly PartitionSpec[]
  readonly defaultSpecId: number
  readonly lastPartitionId: number
  readonly properties: Readonly<Record<string, string>>
  readonly currentSnapshotId: bigint | null
  readonly snapshots: readonly Snapshot[]
  readonly snapshotLog: readonly SnapshotLogEntry[]
  readonly metadataLog: readonly MetadataLogEntry[]
  readonly sortOrders: readonly SortOrder[]
  readonly defaultSortOrderId: number
  readonly refs: Readonly<Record<string, SnapshotRef>>
  /** Kept verbatim so a rewrite does not drop what other writers recorded. */
  readonly statistics: readonly JsonValue[]
  readonly partitionStatistics: readonly JsonValue[]
}

/** A table's name inside a catalog: namespace levels plus the table name. */
export interface TableIdentifier {
  readonly namespace: readonly string[]
  readonly name: string
}

/** The `main` branch name. */
export const MAIN_BRANCH = 'main'
