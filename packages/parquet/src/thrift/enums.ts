/** The numbers parquet.thrift gives the enum values this library writes. */
import type { ConvertedType, FieldRepetitionType, SchemaElement } from 'hyparquet'
import type { Codec, PageHeader, ValueEncoding } from './types.ts'

/** Physical types. */
export const PARQUET_TYPE: Record<NonNullable<SchemaElement['type']>, number> = {
  BOOLEAN: 0,
  INT32: 1,
  INT64: 2,
  INT96: 3,
  FLOAT: 4,
  DOUBLE: 5,
  BYTE_ARRAY: 6,
  FIXED_LEN_BYTE_ARRAY: 7,
}

/** Field repetitions. */
export const REPETITION: Record<FieldRepetitionType, number> = { REQUIRED: 0, OPTIONAL: 1, REPEATED: 2 }

/** The legacy converted types, still written beside logical types for older readers. */
export const CONVERTED_TYPE: Record<ConvertedType, number> = {
  UTF8: 0,
  MAP: 1,
  MAP_KEY_VALUE: 2,
  LIST: 3,
  ENUM: 4,
  DECIMAL: 5,
  DATE: 6,
  TIME_MILLIS: 7,
  TIME_MICROS: 8,
  TIMESTAMP_MILLIS: 9,
  TIMESTAMP_MICROS: 10,
  UINT_8: 11,
  UINT_16: 12,
  UINT_32: 13,
  UINT_64: 14,
  INT_8: 15,
  INT_16: 16,
  INT_32: 17,
  INT_64: 18,
  JSON: 19,
  BSON: 20,
  INTERVAL: 21,
}

/** The value encodings this library writes. */
export const ENCODING: Record<ValueEncoding, number> = { PLAIN: 0, RLE_DICTIONARY: 8 }

/** The compression codecs this library writes. */
export const CODEC: Record<Codec, number> = { UNCOMPRESSED: 0, ZSTD: 6 }

/** The page types this library writes. */
export const PAGE_TYPE: Record<PageHeader['type'], number> = { DICTIONARY_PAGE: 2, DATA_PAGE_V2: 3 }

/** Field ids of the LogicalType union's members. */
export const LOGICAL_TYPE = {
  STRING: 1,
  MAP: 2,
  LIST: 3,
  ENUM: 4,
  DECIMAL: 5,
  DATE: 6,
  TIME: 7,
  TIMESTAMP: 8,
  INTEGER: 10,
  UNKNOWN: 11,
  JSON: 12,
  BSON: 13,
  UUID: 14,
} as const

/** Field ids of the TimeUnit union's members. */
export const TIME_UNIT = { MILLIS: 1, MICROS: 2, NANOS: 3 } as const
