/**
 * Writing rows to a Parquet data file, pure JS: Iceberg field ids on every column, ZSTD by default,
 * row groups by row count, plus the manifest facts about the file (record count, column metrics,
 * column sizes, split offsets). Schemas of primitives, lists and maps go through the columnar writer
 * (`columnar.ts`, several times faster); structs and decimals through hyparquet-writer's row path.
 */
import { parquetMetadata } from 'hyparquet'
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer'
import { IcebergError } from '../errors.ts'
import { stringifyJson } from '../json/lossless.ts'
import { isPrimitive, schemaToJson } from '../spec/schema.ts'
import type { IcebergType, NestedField, Schema } from '../spec/types.ts'
import { toBigInt } from '../spec/values.ts'
import { ColumnBatch } from './batch.ts'
import { type Compress, zstdCompressor } from './codecs.ts'
import { writeColumnBatch } from './columnar.ts'
import { CREATED_BY } from './created-by.ts'
import { computeMetrics, type FileMetrics } from './metrics.ts'
import { parquetSchemaOf } from './schema.ts'

/** Options of `writeParquet`. */
export interface ParquetWriteOptions {
  /** Page compression; ZSTD by default. */
  readonly compression?: 'ZSTD' | 'SNAPPY' | 'UNCOMPRESSED'
  readonly zstdLevel?: number
  /** A ZSTD compressor for runtimes whose node:zlib lacks one. */
  readonly zstd?: Compress
  /** Rows per row group (default 100 000: a few MB for our rows, many splits for big files). */
  readonly rowGroupRows?: number
  readonly pageSize?: number
  /** Length strings/binary bounds are truncated to (default 16). */
  readonly boundLength?: number
}

/** A Parquet file and what the manifest records about it. */
export interface WrittenParquet {
  readonly bytes: Uint8Array
  readonly recordCount: number
  readonly metrics: FileMetrics
  readonly columnSizes: Map<number, number>
  readonly splitOffsets: number[]
}

type Row = Readonly<Record<string, unknown>>

const LONGS = new Set(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])

/** Converts a value to what the Parquet encoder takes, checking required fields on the way. */
function toParquet(type: IcebergType, value: unknown, path: string, required: boolean): unknown {
  if (value === null || value === undefined) {
    if (required) throw new IcebergError('INVALID_ARGUMENT', `required column ${path} is null`)
    return null
  }
  if (isPrimitive(type)) {
    if (LONGS.has(type) || type.startsWith('decimal')) return toBigInt(value, path)
    if (type === 'string' && typeof value !== 'string')
      throw new IcebergError('INVALID_ARGUMENT', `column ${path} must be a string`)
    return value
  }
  if (type.type === 'struct') {
    const out: Record<string, unknown> = {}
    for (const f of type.fields)
      out[f.name] = toParquet(f.type, (value as Row)[f.name], `${path}.${f.name}`, f.required)
    return out
  }
  if (type.type === 'list') {
    return (value as unknown[]).map((v) =>
      toParquet(type.element, v, `${path}.element`, type.elementRequired),
    )
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as Row)
  return entries.map(([k, v]) => ({
    key: toParquet(type.key, k, `${path}.key`, true),
    value: toParquet(type.value, v, `${path}.value`, type.valueRequired),
  }))
}

function leafIds(
  fields: readonly NestedField[],
  prefix: string,
  out: Map<string, number>,
): Map<string, number> {
  const visit = (name: string, type: IcebergType, id: number): void => {
    if (isPrimitive(type)) out.set(name, id)
    else if (type.type === 'struct') leafIds(type.fields, `${name}.`, out)
    else if (type.type === 'list') visit(`${name}.list.element`, type.element, type.elementId)
    else {
      visit(`${name}.key_value.key`, type.key, type.keyId)
      visit(`${name}.key_value.value`, type.value, type.valueId)
    }
  }
  for (const f of fields) visit(`${prefix}${f.name}`, f.type, f.id)
  return out
}

function footerFacts(
  bytes: Uint8Array,
  schema: Schema,
): { columnSizes: Map<number, number>; splitOffsets: number[] } {
  const meta = parquetMetadata(bytes)
  const ids = leafIds(schema.fields, '', new Map())
  const columnSizes = new Map<number, number>()
  const splitOffsets: number[] = []
  for (const group of meta.row_groups) {
    const first = group.columns[0]?.meta_data
    if (first) splitOffsets.push(Number(first.dictionary_page_offset ?? first.data_page_offset))
    for (const chunk of group.columns) {
      const id = chunk.meta_data ? ids.get(chunk.meta_data.path_in_schema.join('.')) : undefined
      if (id !== undefined)
        columnSizes.set(id, (columnSizes.get(id) ?? 0) + Number(chunk.meta_data!.total_compressed_size))
    }
  }
  return { columnSizes, splitOffsets }
}

/**
 * Encodes rows (objects keyed by column name) as a Parquet file for the given Iceberg schema: through
 * typed-array columns (`writeColumnBatch`) when the schema's columns are primitives, lists or maps of
 * primitives (not decimals), otherwise through hyparquet-writer (`writeParquetRows`).
 */
export function writeParquet(
  schema: Schema,
  rows: readonly Row[],
  options: ParquetWriteOptions = {},
): WrittenParquet {
  const batch = ColumnBatch.of(schema, rows.length)
  if (batch === undefined) return writeParquetRows(schema, rows, options)
  for (const row of rows) batch.push(row)
  return writeColumnBatch(batch, options)
}

/** Whether a float or double is anywhere in the type. */
function holdsFloats(type: IcebergType): boolean {
  if (typeof type === 'string') return type === 'float' || type === 'double'
  if (type.type === 'struct') return type.fields.some((f) => holdsFloats(f.type))
  if (type.type === 'list') return holdsFloats(type.element)
  if (type.type === 'map') return holdsFloats(type.key) || holdsFloats(type.value)
  return false
}

/** Encodes rows through hyparquet-writer: every Iceberg type, nested structs and collections included. */
export function writeParquetRows(
  schema: Schema,
  rows: readonly Row[],
  options: ParquetWriteOptions = {},
): WrittenParquet {
  const columnData: ColumnSource[] = schema.fields.map((f) => ({
    name: f.name,
    data: rows.map((r) => toParquet(f.type, r[f.name], f.name, f.required)),
    // hyparquet-writer's dictionary keys -0.0 and 0.0 alike, so one would read back as the other:
    // columns holding floating-point values are written without a dictionary
    ...(holdsFloats(f.type) ? { encoding: 'PLAIN' as const } : {}),
  }))
  const codec = options.compression ?? 'ZSTD'
  const buffer = parquetWriteBuffer({
    columnData,
    schema: parquetSchemaOf(schema),
    codec,
    compressors: codec === 'ZSTD' ? { ZSTD: options.zstd ?? zstdCompressor(options.zstdLevel) } : {},
    rowGroupSize: options.rowGroupRows ?? 100_000,
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    kvMetadata: [{ key: 'iceberg.schema', value: stringifyJson(schemaToJson(schema)) }],
    createdBy: CREATED_BY,
  })
  const bytes = new Uint8Array(buffer)
  return {
    bytes,
    recordCount: rows.length,
    metrics: computeMetrics(schema, rows, options.boundLength),
    ...footerFacts(bytes, schema),
  }
}
