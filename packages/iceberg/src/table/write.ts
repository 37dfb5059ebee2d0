/**
 * Turning rows into data files: rows are split by the partition spec, each partition goes to
 * Parquet files of at most `maxRowsPerFile` rows, and each file becomes a `DataFile` with its
 * partition tuple and metrics, ready for an append or an overwrite.
 */
import {
  type ColumnBatch,
  type ParquetWriteOptions,
  type WrittenParquet,
  writeParquet,
} from '@healthstream/parquet'
import type { ObjectStore } from '../io/object-store.ts'
import type { DataFile } from '../manifest/types.ts'
import { bindPartitionSpec, type PartitionValues, partitionOf, partitionPath } from '../spec/partition.ts'
import type { PartitionSpec, Schema, TableMetadata } from '../spec/types.ts'
import { type BatchEncoder, encodeOnThisThread, tupleKey } from './batch-files.ts'
import { newDataFileLocation } from './locations.ts'
import { dataFileOptions } from './parquet-options.ts'
import { writtenFileFacts } from './written-file.ts'

type Row = Readonly<Record<string, unknown>>

/** Options of `writeDataFiles`. */
export interface WriteDataFilesOptions extends ParquetWriteOptions {
  /** Rows per file before another file is started (default 1 000 000). */
  readonly maxRowsPerFile?: number
  /** The schema to write with (default: the table's current schema). */
  readonly schema?: Schema
  /** The spec to partition by (default: the table's default spec). */
  readonly spec?: PartitionSpec
  /** Length strings/binary bounds are truncated to (default 16). */
  readonly boundLength?: number
}

/** The current schema of table metadata. */
export function currentSchema(m: TableMetadata): Schema {
  return m.schemas.find((s) => s.schemaId === m.currentSchemaId) ?? m.schemas[m.schemas.length - 1]!
}

/** The default partition spec of table metadata. */
export function defaultSpec(m: TableMetadata): PartitionSpec {
  return m.partitionSpecs.find((s) => s.specId === m.defaultSpecId) ?? { specId: m.defaultSpecId, fields: [] }
}

/** Groups rows by partition tuple, keeping the first-seen order of partitions and of rows. */
export function groupByPartition(
  spec: PartitionSpec,
  schema: Schema,
  rows: readonly Row[],
): { partition: PartitionValues; path: string; rows: Row[] }[] {
  const bound = bindPartitionSpec(spec, schema)
  const groups = new Map<unknown, { partition: PartitionValues; path: string; rows: Row[] }>()
  for (const row of rows) {
    const partition = partitionOf(bound, row)
    const key = tupleKey(partition)
    let g = groups.get(key)
    if (!g) {
      g = { partition, path: partitionPath(bound, partition), rows: [] }
      groups.set(key, g)
    }
    g.rows.push(row)
  }
  return [...groups.values()]
}

/** Writes rows as Parquet data files under the table's data location; returns their descriptions. */
export async function writeDataFiles(
  store: ObjectStore,
  m: TableMetadata,
  rows: readonly Row[],
  options: WriteDataFilesOptions = {},
): Promise<DataFile[]> {
  const schema = options.schema ?? currentSchema(m)
  const spec = options.spec ?? defaultSpec(m)
  const max = options.maxRowsPerFile ?? 1_000_000
  const files: DataFile[] = []
  for (const group of groupByPartition(spec, schema, rows)) {
    for (let i = 0; i < group.rows.length; i += max) {
      const written = writeParquet(schema, group.rows.slice(i, i + max), dataFileOptions(schema, options))
      files.push(await putDataFile(store, m, spec, group, written, options.boundLength))
    }
  }
  return files
}

/** Options of `writeBatchDataFiles`. */
export interface WriteBatchOptions extends Omit<WriteDataFilesOptions, 'schema'> {
  /** Where the Parquet encoding runs (default: this thread; `ParquetEncodePool` for worker threads). */
  readonly encoder?: BatchEncoder
}

/**
 * Writes a batch of rows kept as columns (in the batch's schema, which must be one of the table's) as
 * Parquet data files under the table's data location; returns their descriptions.
 */
export async function writeBatchDataFiles(
  store: ObjectStore,
  m: TableMetadata,
  batch: ColumnBatch,
  options: WriteBatchOptions = {},
): Promise<DataFile[]> {
  const { encoder = encodeOnThisThread, spec = defaultSpec(m), boundLength, ...rest } = options
  const encoded = await encoder(spec, batch, rest)
  const files: DataFile[] = []
  for (const e of encoded) files.push(await putDataFile(store, m, spec, e, e.written, boundLength))
  return files
}

/** Stores one written Parquet file under a new name in its partition and describes it for a manifest. */
async function putDataFile(
  store: ObjectStore,
  m: TableMetadata,
  spec: PartitionSpec,
  at: { readonly partition: PartitionValues; readonly path: string },
  written: WrittenParquet,
  boundLength: number | undefined,
): Promise<DataFile> {
  const filePath = newDataFileLocation(m, at.path)
  await store.put(filePath, written.bytes)
  return {
    content: 0,
    filePath,
    fileFormat: 'PARQUET',
    specId: spec.specId,
    partition: at.partition,
    ...writtenFileFacts(written, boundLength),
    sortOrderId: 0,
  }
}
