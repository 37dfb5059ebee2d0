/**
 * @healthstream/parquet: a columnar Parquet writer (field ids on every column, ZSTD, typed-array
 * columns, the column statistics Iceberg's metrics are made from) and a reader. Public names, exported
 * explicitly.
 */

export type { AnyColumn, ListColumn, MapColumn } from './batch/batch.ts'
export { ColumnBatch } from './batch/batch.ts'
export type { ColumnData } from './batch/batch-transfer.ts'
export { exportBatch, importBatch } from './batch/batch-transfer.ts'
export type { LeafColumn } from './batch/columns.ts'
export { takeRows, valueAt } from './batch/take.ts'
export type { Compress, Decompress } from './encode/codecs.ts'
export {
  DEFAULT_ZSTD_LEVEL,
  defaultDecompressors,
  zstdCompressor,
  zstdDecompressor,
} from './encode/codecs.ts'
export type { ParquetErrorCode } from './errors.ts'
export { isParquetError, ParquetError } from './errors.ts'
export { readParquet } from './read/read.ts'
export { parquetSchemaOf } from './schema/elements.ts'
export type {
  Field,
  FieldType,
  ListType,
  MapType,
  PrimitiveType,
  PrimitiveValue,
  Schema,
  StructType,
} from './schema/types.ts'
export { bytesToUuid, fromBigEndian, isPrimitive, toBigInt, uuidToBytes } from './schema/values.ts'
export { compareValues } from './stats/order.ts'
export { rowStats } from './stats/rows.ts'
export type { ColumnStats, SlotStats } from './stats/types.ts'
export { writeColumnBatch } from './write/columnar.ts'
export { CREATED_BY, LIBRARY_VERSION } from './write/created-by.ts'
export { writeParquetRows } from './write/rows.ts'
export type { ParquetWriteOptions, WrittenParquet } from './write/types.ts'
export { writeParquet } from './write/write.ts'
