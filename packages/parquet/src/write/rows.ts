/**
 * The row writer: rows through hyparquet-writer, for what the columnar writer does not take (structs,
 * decimals, lists or maps of those). Slower, and its facts come from parsing the footer it wrote and
 * from the rows themselves.
 */
import { parquetMetadata } from 'hyparquet'
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer'
import { zstdCompressor } from '../encode/codecs.ts'
import { ParquetError } from '../errors.ts'
import { parquetSchemaOf } from '../schema/elements.ts'
import type { Field, FieldType, Schema } from '../schema/types.ts'
import { isPrimitive, LONG_TYPES, toBigInt } from '../schema/values.ts'
import { rowStats } from '../stats/rows.ts'
import { CREATED_BY } from './created-by.ts'
import type { ParquetWriteOptions, WrittenParquet } from './types.ts'

type Row = Readonly<Record<string, unknown>>

/** Converts a value to what hyparquet-writer takes, checking required fields on the way. */
function toParquet(type: FieldType, value: unknown, path: string, required: boolean): unknown {
  if (value === null || value === undefined) {
    if (required) throw new ParquetError('INVALID_ARGUMENT', `required column ${path} is null`)
    return null
  }
  if (isPrimitive(type)) {
    if (LONG_TYPES.has(type) || type.startsWith('decimal')) return toBigInt(value, path)
    if (type === 'string' && typeof value !== 'string')
      throw new ParquetError('INVALID_ARGUMENT', `column ${path} must be a string`)
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

/** Field ids by the dotted Parquet path of every leaf column. */
function leafIds(fields: readonly Field[], prefix: string, out: Map<string, number>): Map<string, number> {
  const visit = (name: string, type: FieldType, id: number): void => {
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

/** Column sizes and split offsets, read back from the footer hyparquet-writer wrote. */
function footerFacts(bytes: Uint8Array, schema: Schema) {
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

/** Whether a float or double is anywhere in the type. */
function holdsFloats(type: FieldType): boolean {
  if (typeof type === 'string') return type === 'float' || type === 'double'
  if (type.type === 'struct') return type.fields.some((f) => holdsFloats(f.type))
  if (type.type === 'list') return holdsFloats(type.element)
  if (type.type === 'map') return holdsFloats(type.key) || holdsFloats(type.value)
  return false
}

/** Encodes rows through hyparquet-writer: every type, nested structs and collections included. */
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
    kvMetadata: [...(options.keyValueMetadata ?? [])],
    createdBy: options.createdBy ?? CREATED_BY,
  })
  const bytes = new Uint8Array(buffer)
  return {
    bytes,
    recordCount: rows.length,
    columnStats: rowStats(schema, rows),
    ...footerFacts(bytes, schema),
  }
}
