/**
 * The worker thread of `ParquetEncodePool`: takes a batch as plain columns, encodes the Parquet files
 * of its partitions and sends them back (their bytes moved, not copied).
 */
import { parentPort } from 'node:worker_threads'
import { type ColumnData, importBatch, type Schema } from '@healthstream/parquet'
import type { PartitionSpec } from '../spec/types.ts'
import { type BatchEncodeOptions, encodeBatchFiles } from './batch-files.ts'

/** What the pool sends: one batch to encode. */
export interface EncodeJob {
  readonly id: number
  /** The batch's schema (an Iceberg schema, its id included, as the batch was made for it). */
  readonly schema: Schema
  readonly spec: PartitionSpec
  readonly columns: readonly ColumnData[]
  readonly options: BatchEncodeOptions
}

const port = parentPort
port?.on('message', (job: EncodeJob) => {
  try {
    const files = encodeBatchFiles(job.spec, importBatch(job.schema, job.columns), job.options)
    port.postMessage(
      { id: job.id, files },
      files.map((f) => f.written.bytes.buffer as ArrayBuffer),
    )
  } catch (error) {
    const e = error as { message?: string; code?: string }
    port.postMessage({ id: job.id, error: { message: e?.message ?? String(error), code: e?.code } })
  }
})
