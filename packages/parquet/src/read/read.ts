/**
 * Reading a Parquet file back into rows (hyparquet), in the value shapes the writers take: longs and
 * timestamps as bigints (micros or nanos, as stored), dates as day numbers, strings decoded, binary as
 * bytes, UUIDs as strings, decimals as unscaled bigints. For rewriting files (compaction, copy-on-write).
 */
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { defaultDecompressors } from '../encode/codecs.ts'
import type { FieldType, Schema } from '../schema/types.ts'
import { bytesToUuid, fromBigEndian, isPrimitive } from '../schema/values.ts'

type Row = Record<string, unknown>

const KEEP_RAW = {
  timestampFromMilliseconds: (v: bigint) => v,
  timestampFromMicroseconds: (v: bigint) => v,
  timestampFromNanoseconds: (v: bigint) => v,
  dateFromDays: (v: number) => v,
  uuidFromBytes: (b: Uint8Array) => b,
}

function fromParquet(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (isPrimitive(type)) {
    if (type.startsWith('decimal') && typeof v === 'object')
      return fromBigEndian(Uint8Array.from(v as ArrayLike<number>))
    if (type === 'long' || type === 'time' || type.startsWith('decimal'))
      return typeof v === 'bigint' ? v : BigInt(v as number)
    if (type === 'uuid') return v instanceof Uint8Array ? bytesToUuid(v) : v
    if (type === 'int' && typeof v === 'bigint') return Number(v)
    return v
  }
  if (type.type === 'struct') {
    const out: Row = {}
    for (const f of type.fields) out[f.name] = fromParquet(f.type, (v as Row)[f.name])
    return out
  }
  if (type.type === 'list') return (v as unknown[]).map((x) => fromParquet(type.element, x))
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v as Row)
  return new Map(entries.map(([k, x]) => [fromParquet(type.key, k), fromParquet(type.value, x)]))
}

/** Index of the element after the subtree starting at `i` in a flattened Parquet schema. */
function skipElement(schema: readonly { num_children?: number }[], i: number): number {
  let next = i + 1
  for (let c = 0; c < (schema[i]?.num_children ?? 0); c++) next = skipElement(schema, next)
  return next
}

/**
 * Reads every row of a Parquet file, shaped by `schema`: top-level columns are found by field id (so a
 * renamed column still reads), nested ones by name; columns the file lacks are null.
 */
export async function readParquet(bytes: Uint8Array, schema: Schema): Promise<Row[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  const parsed = parquetMetadata(file)
  // hyparquet scales decimals into doubles, losing digits; without the annotation it hands over the
  // unscaled integers (or big-endian bytes), which is what the writers take.
  const schemaElements = parsed.schema.map((e) =>
    e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL'
      ? { ...e, converted_type: undefined, logical_type: undefined }
      : e,
  )
  const metadata = { ...parsed, schema: schemaElements }
  // Top-level columns are matched by field id, so renamed columns still read (nested ones by name).
  const nameById = new Map<number, string>()
  const names = new Set<string>()
  let i = 1
  for (let n = 0; n < (metadata.schema[0]?.num_children ?? 0); n++) {
    const el = metadata.schema[i]!
    if (el.field_id !== undefined) nameById.set(el.field_id, el.name)
    names.add(el.name)
    i = skipElement(metadata.schema, i)
  }
  // Only the columns the schema asks for are decoded (a predicate scan reads one column).
  const columns = [...new Set(schema.fields.map((f) => nameById.get(f.id) ?? f.name))].filter((c) =>
    names.has(c),
  )
  // utf8: false keeps un-annotated byte arrays (Iceberg binary) as bytes; strings are annotated.
  const rows =
    columns.length === 0
      ? Array.from({ length: Number(metadata.num_rows) }, () => ({}) as Row)
      : await parquetReadObjects({
          file,
          metadata,
          columns,
          compressors: defaultDecompressors(),
          parsers: KEEP_RAW,
          utf8: false,
        })
  return rows.map((r) => {
    const out: Row = {}
    for (const f of schema.fields) out[f.name] = fromParquet(f.type, r[nameById.get(f.id) ?? f.name])
    return out
  })
}
