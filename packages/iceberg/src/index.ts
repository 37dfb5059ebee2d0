/** @healthstream/iceberg: an Apache Iceberg (format v2) writer. Public names, exported explicitly. */

// The Parquet names this library's own API takes or returns (a batch to write, the options and result
// of encoding, reading a data file back), so its users need not depend on @healthstream/parquet
export type {
  AnyColumn,
  ColumnStats,
  Compress,
  ParquetWriteOptions,
  PrimitiveValue,
  WrittenParquet,
} from '@healthstream/parquet'
export { ColumnBatch, readParquet } from '@healthstream/parquet'

export { readAvroFile, writeAvroFile } from './avro/container.ts'
export type { Catalog, CreateTableRequest, LoadedTable } from './catalog/catalog.ts'
export { identifierToString, metadataFileName, metadataVersion, parseIdentifier } from './catalog/catalog.ts'
export type { PostgresOptions } from './catalog/postgres-sql.ts'
export { openPostgres } from './catalog/postgres-sql.ts'
export type { RestAuth, RestCatalogOptions } from './catalog/rest-catalog.ts'
export { RestCatalog } from './catalog/rest-catalog.ts'
export type { SqlCatalogOptions } from './catalog/sql-catalog.ts'
export { SqlCatalog } from './catalog/sql-catalog.ts'
export type { SqlDatabase, SqlExecutor, SqlValue } from './catalog/sql-database.ts'
export { openNodeSqlite } from './catalog/sqlite-node.ts'
export { CREATED_BY, LIBRARY_VERSION } from './created-by.ts'
export type { IcebergErrorCode, IcebergErrorOptions } from './errors.ts'
export { CommitConflictError, CommitStateUnknownError, IcebergError, isIcebergError } from './errors.ts'
export { fileUri, LocalObjectStore, localPath } from './io/local.ts'
export type { ObjectInfo, ObjectStore } from './io/object-store.ts'
export { joinLocation, objectExists, objectNotFound } from './io/object-store.ts'
export type { S3ObjectStoreOptions } from './io/s3.ts'
export { parseS3Location, S3ObjectStore } from './io/s3.ts'
export type { JsonObject, JsonValue } from './json/lossless.ts'
export { parseJson, stringifyJson } from './json/lossless.ts'
export { readManifest, writeManifest } from './manifest/manifest.ts'
export { readManifestList, writeManifestList } from './manifest/manifest-list.ts'
export type { DataFile, FieldSummary, ManifestEntry, ManifestFile } from './manifest/types.ts'
export { ENTRY_STATUS } from './manifest/types.ts'
export { applyUpdates, checkRequirements, withMetadataLog } from './spec/apply.ts'
export {
  metadataFromJson,
  metadataToJson,
  parseTableMetadata,
  serializeTableMetadata,
} from './spec/metadata-json.ts'
export type { FileMetrics } from './spec/metrics.ts'
export { computeMetrics, metricsOf } from './spec/metrics.ts'
export type { NewTableOptions, PartitionFieldInput } from './spec/new-table.ts'
export { newTableMetadata, partitionSpecOf } from './spec/new-table.ts'
export type { BoundPartitionField, PartitionValues } from './spec/partition.ts'
export {
  bindPartitionSpec,
  partitionOf,
  partitionPath,
  partitionTupleKey,
  UNPARTITIONED,
  UNSORTED,
} from './spec/partition.ts'
export { schemaFromJson, schemaToJson, typeFromJson, typeToJson, validateSchema } from './spec/schema.ts'
export { fromBytes, toBytes, truncateLower, truncateUpper } from './spec/single-value.ts'
export type {
  IcebergType,
  ListType,
  MapType,
  MetadataLogEntry,
  NestedField,
  PartitionField,
  PartitionSpec,
  PrimitiveType,
  Schema,
  Snapshot,
  SnapshotLogEntry,
  SnapshotOperation,
  SnapshotRef,
  SnapshotSummary,
  SortField,
  SortOrder,
  StructType,
  TableIdentifier,
  TableMetadata,
} from './spec/types.ts'
export { MAIN_BRANCH } from './spec/types.ts'
export type { TableRequirement, TableUpdate } from './spec/updates.ts'
export { requirementToJson, updateFromJson, updateToJson } from './spec/updates.ts'
export { dateToDays, daysToDate } from './spec/values.ts'
export type { BatchEncodeOptions, BatchEncoder, EncodedFile } from './table/batch-files.ts'
export { encodeBatchFiles, encodeOnThisThread, partitionRows } from './table/batch-files.ts'
export type { RetryOptions } from './table/commit.ts'
export type { CompactOptions } from './table/compact.ts'
export type { ScanTask } from './table/delete-index.ts'
export { DeleteIndex, planScan } from './table/delete-index.ts'
export { ParquetEncodePool } from './table/encode-pool.ts'
export type { NewColumn } from './table/evolve.ts'
export type { ExpireOptions, OrphanOptions } from './table/maintenance.ts'
export {
  DELETE_FILE_PATH_ID,
  DELETE_POS_ID,
  encodePositionDeletes,
  POSITION_DELETE_SCHEMA,
  readPositionDeletes,
  writePositionDeletes,
} from './table/position-deletes.ts'
export type { DeleteCache } from './table/read-rows.ts'
export { deletedPositions, readLiveRows } from './table/read-rows.ts'
export type { DeleteRowsOptions, DeleteRowsResult } from './table/row-delta.ts'
export type { RowFilter } from './table/row-filter.ts'
export { liveEntries, scanTasks } from './table/scan.ts'
export type { SnapshotChange } from './table/snapshot-change.ts'
export { SnapshotBuilder, Table } from './table/table.ts'
export type { WriteBatchOptions, WriteDataFilesOptions } from './table/write.ts'
export type { Transform } from './transforms/transforms.ts'
export {
  applyTransform,
  bucketHash,
  parseTransform,
  transformResultType,
  transformToString,
} from './transforms/transforms.ts'
