/** What the writers take and what they give back. */
import type { Compress } from '../encode/codecs.ts'
import type { ColumnStats } from '../stats/types.ts'

/** Options of `writeParquet`, `writeColumnBatch` and `writeParquetRows`. */
export interface ParquetWriteOptions {
  /** Page compression; ZSTD by default. */
  readonly compression?: 'ZSTD' | 'UNCOMPRESSED'
  readonly zstdLevel?: number
  /** A ZSTD compressor for runtimes whose node:zlib lacks one. */
  readonly zstd?: Compress
  /** Rows per row group (default 100 000: a few MB for our rows, many splits for big files). */
  readonly rowGroupRows?: number
  /** Bytes of values a data page holds before the next one starts (default 1 MiB). */
  readonly pageSize?: number
  /** Key-value metadata for the footer (an Iceberg writer puts its schema there). */
  readonly keyValueMetadata?: readonly { readonly key: string; readonly value: string }[]
  /** The footer's `created_by` (default: this library's name and version). */
  readonly createdBy?: string
}

/** A Parquet file and the facts about it a table format records (row count, statistics, sizes, splits). */
export interface WrittenParquet {
  readonly bytes: Uint8Array
  readonly recordCount: number
  /**
   * Statistics by field id of every primitive column outside lists and maps: the top-level ones (and,
   * from the row writer, those inside structs), in schema order.
   */
  readonly columnStats: Map<number, ColumnStats>
  /** Compressed bytes by field id of every leaf column, list items and map entries included. */
  readonly columnSizes: Map<number, number>
  /** Where each row group starts, in file order. */
  readonly splitOffsets: number[]
}
