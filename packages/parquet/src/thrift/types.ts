/**
 * The parts of Parquet's metadata (parquet.thrift) this library writes, as plain data: numbers where
 * the format has i64 (sizes, offsets and counts stay well below 2^53), names where it has enums.
 */
import type { SchemaElement } from 'hyparquet'
import type { ChunkStatistics } from '../encode/statistics.ts'

/** The codecs pages are written with. */
export type Codec = 'UNCOMPRESSED' | 'ZSTD'

/** The encodings values are written in. */
export type ValueEncoding = 'PLAIN' | 'RLE_DICTIONARY'

/** The header of a dictionary page or of a v2 data page. */
export interface PageHeader {
  readonly type: 'DICTIONARY_PAGE' | 'DATA_PAGE_V2'
  readonly uncompressedSize: number
  readonly compressedSize: number
  readonly dictionary?: { readonly values: number; readonly encoding: ValueEncoding }
  readonly dataV2?: {
    readonly values: number
    readonly nulls: number
    readonly rows: number
    readonly encoding: ValueEncoding
    readonly definitionBytes: number
    readonly repetitionBytes: number
    /** Whether the values are compressed (levels never are). */
    readonly compressed: boolean
  }
}

/** How many pages of a chunk have one type and encoding. */
export interface EncodingCount {
  readonly pageType: PageHeader['type']
  readonly encoding: ValueEncoding
  readonly count: number
}

/** A column chunk's metadata. Offsets are from the start of the file. */
export interface ChunkMetaData {
  readonly type: NonNullable<SchemaElement['type']>
  readonly encodings: readonly ValueEncoding[]
  readonly path: readonly string[]
  readonly codec: Codec
  /** Levels in the chunk: one per row for a top-level column, one per item or empty list in a list. */
  readonly values: number
  readonly uncompressedSize: number
  readonly compressedSize: number
  readonly dataPageOffset: number
  readonly dictionaryPageOffset?: number
  readonly statistics: ChunkStatistics
  readonly encodingCounts: readonly EncodingCount[]
}

/** A row group: its chunks, one per leaf column, and its sizes. */
export interface RowGroup {
  readonly chunks: readonly ChunkMetaData[]
  readonly rows: number
  readonly uncompressedSize: number
  readonly compressedSize: number
}

/** The footer. */
export interface FileMetaData {
  readonly schema: readonly SchemaElement[]
  readonly rows: number
  readonly rowGroups: readonly RowGroup[]
  readonly keyValueMetadata: readonly { readonly key: string; readonly value: string }[]
  readonly createdBy: string
}
