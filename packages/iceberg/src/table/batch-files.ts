/**
 * A `ColumnBatch` (rows kept as columns in arrival order) split by the partition spec and encoded as
 * Parquet files, without row objects. Pure CPU work, so it can run on a worker thread
 * (`encode-pool.ts`) while the caller's thread goes on reading.
 */

import { IcebergError } from '../errors.ts'
import type { ColumnBatch } from '../parquet/batch.ts'
import { writeColumnBatch } from '../parquet/columnar.ts'
import type { LeafColumn } from '../parquet/columns.ts'
import { takeRows, valueAt } from '../parquet/take.ts'
import type { ParquetWriteOptions, WrittenParquet } from '../parquet/writer.ts'
import {
  bindPartitionSpec,
  type PartitionValues,
  partitionPath,
  partitionTupleKey,
} from '../spec/partition.ts'
import type { PartitionSpec } from '../spec/types.ts'
import { applyTransform, parseTransform } from '../transforms/transforms.ts'

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

/** The rows of each partition of the batch (first-seen order of partitions and of rows). */
export function partitionRows(
  spec: PartitionSpec,
  batch: ColumnBatch,
): { partition: PartitionValues; path: string; indices: Int32Array }[] {
  const bound = bindPartitionSpec(spec, batch.schema)
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
  for (const g of groups) {
    // The whole batch in one partition and one file: encode it as it is, nothing to pick out
    const whole = groups.length === 1 && g.indices.length <= max
    for (let i = 0; i < g.indices.length; i += max) {
      const rows = whole ? batch : takeRows(batch, g.indices.subarray(i, i + max))
      out.push({ partition: g.partition, path: g.path, written: writeColumnBatch(rows, options) })
    }
  }
  return out
}

/** The encoder that works on the caller's thread. */
export const encodeOnThisThread: BatchEncoder = async (spec, batch, options) =>
  encodeBatchFiles(spec, batch, options)
