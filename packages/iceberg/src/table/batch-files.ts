/**
 * A `ColumnBatch` (rows kept as columns in arrival order) split by the partition spec and encoded as
 * Parquet files, without row objects. Pure CPU work, so it can run on a worker thread
 * (`encode-pool.ts`) while the caller's thread goes on reading.
 */
import {
  type ColumnBatch,
  type LeafColumn,
  type ParquetWriteOptions,
  takeRows,
  valueAt,
  type WrittenParquet,
  writeColumnBatch,
} from '@healthstream/parquet'
import { IcebergError } from '../errors.ts'
import {
  bindPartitionSpec,
  type PartitionValues,
  partitionPath,
  partitionTupleKey,
} from '../spec/partition.ts'
import type { PartitionSpec, Schema } from '../spec/types.ts'
import { applyTransform, parseTransform } from '../transforms/transforms.ts'
import { dataFileOptions } from './parquet-options.ts'

/** One encoded data file of a batch: its partition tuple, the partition's path, the Parquet file. */
export interface EncodedFile {
  readonly partition: PartitionValues
  readonly path: string
  readonly written: WrittenParquet
}

/** How a batch is encoded; the functions in `options` (a custom ZSTD) stay on the caller's thread. */
export interface BatchEncodeOptions extends ParquetWriteOptions {
  /** Rows per file before another file is started (default 1 000 000). */
  readonly maxRowsPerFile?: number
}

/** Encodes a batch as the Parquet files of its partitions: on this thread or on another. */
export type BatchEncoder = (
  spec: PartitionSpec,
  batch: ColumnBatch,
  options: BatchEncodeOptions,
) => Promise<EncodedFile[]>

/** The key a tuple is grouped by: one number is its own key (the usual day or month), never equal to a string. */
export function tupleKey(values: PartitionValues): unknown {
  const [v] = values
  if (values.length === 1 && typeof v === 'number' && !Object.is(v, -0)) return v
  return partitionTupleKey(values)
}

/**
 * The Iceberg schema a batch was made for. A batch keeps the schema object it was made with, so one
 * made for a table's schema (`ColumnBatch.of(table.schema)`) has its id; one made for a bare Parquet
 * schema has none, and no table takes it.
 */
export function tableSchemaOf(batch: ColumnBatch): Schema {
  const schema = batch.schema as Partial<Schema>
  if (typeof schema.schemaId !== 'number')
    throw new IcebergError(
      'INVALID_ARGUMENT',
      'the batch was not made for an Iceberg schema (it has no schema id)',
    )
  return schema as Schema
}

/** The rows of each partition of the batch (first-seen order of partitions and of rows). */
export function partitionRows(
  spec: PartitionSpec,
  batch: ColumnBatch,
): { partition: PartitionValues; path: string; indices: Int32Array }[] {
  const bound = bindPartitionSpec(spec, tableSchemaOf(batch))
  const sources = bound.map((b) => {
    if (b.sourcePath.length !== 1)
      throw new IcebergError(
        'INVALID_ARGUMENT',
        `partition source ${b.sourcePath.join('.')} is inside a struct`,
      )
    const at = batch.schema.fields.findIndex((f) => f.name === b.sourcePath[0])
    return { column: batch.columns[at] as LeafColumn, transform: parseTransform(b.field.transform), b }
  })
  const groups = new Map<unknown, { partition: PartitionValues; rows: number[] }>()
  for (let i = 0; i < batch.length; i++) {
    const partition = sources.map((s) => applyTransform(s.transform, s.b.sourceType, valueAt(s.column, i)))
    const key = tupleKey(partition)
    const g = groups.get(key)
    if (g === undefined) groups.set(key, { partition, rows: [i] })
    else g.rows.push(i)
  }
  return [...groups.values()].map((g) => ({
    partition: g.partition,
    path: partitionPath(bound, g.partition),
    indices: Int32Array.from(g.rows),
  }))
}

/** Encodes the batch as Parquet files, at most `maxRowsPerFile` rows each, per partition. */
export function encodeBatchFiles(
  spec: PartitionSpec,
  batch: ColumnBatch,
  options: BatchEncodeOptions = {},
): EncodedFile[] {
  const max = Math.max(1, options.maxRowsPerFile ?? 1_000_000)
  const out: EncodedFile[] = []
  const groups = batch.length === 0 ? [] : partitionRows(spec, batch)
  const parquet = groups.length === 0 ? options : dataFileOptions(tableSchemaOf(batch), options)
  for (const g of groups) {
    // The whole batch in one partition and one file: encode it as it is, nothing to pick out
    const whole = groups.length === 1 && g.indices.length <= max
    for (let i = 0; i < g.indices.length; i += max) {
      const rows = whole ? batch : takeRows(batch, g.indices.subarray(i, i + max))
      out.push({ partition: g.partition, path: g.path, written: writeColumnBatch(rows, parquet) })
    }
  }
  return out
}

/** The encoder that works on the caller's thread. */
export const encodeOnThisThread: BatchEncoder = async (spec, batch, options) =>
  encodeBatchFiles(spec, batch, options)
