/**
 * Column statistics computed from row objects, for the row writer (the columnar one takes them from
 * its typed arrays as it encodes): every primitive column outside lists and maps, struct fields
 * included, with values normalized as `ColumnStats` says so both writers report the same.
 */
import type { Field, PrimitiveType, PrimitiveValue, Schema } from '../schema/types.ts'
import { isPrimitive, LONG_TYPES, toBigInt, uuidToBytes } from '../schema/values.ts'
import { compareValues } from './order.ts'
import type { ColumnStats } from './types.ts'

interface Leaf {
  readonly id: number
  readonly type: PrimitiveType
  readonly path: readonly string[]
}

function leaves(fields: readonly Field[], prefix: readonly string[] = []): Leaf[] {
  return fields.flatMap((f) => {
    const path = [...prefix, f.name]
    if (isPrimitive(f.type)) return [{ id: f.id, type: f.type, path }]
    return f.type.type === 'struct' ? leaves(f.type.fields, path) : []
  })
}

function valueAt(row: unknown, path: readonly string[]): unknown {
  let v = row
  for (const name of path) {
    if (v === null || v === undefined) return undefined
    v = (v as Record<string, unknown>)[name]
  }
  return v
}

function normalize(type: PrimitiveType, v: unknown): PrimitiveValue {
  if (LONG_TYPES.has(type) || type.startsWith('decimal')) return toBigInt(v)
  if (type === 'uuid' && typeof v === 'string') return uuidToBytes(v)
  if (type === 'float') return Math.fround(v as number)
  return v as PrimitiveValue
}

function columnStats(leaf: Leaf, rows: readonly unknown[]): ColumnStats {
  const floating = leaf.type === 'float' || leaf.type === 'double'
  let nulls = 0
  let nans = 0
  let min: PrimitiveValue | undefined
  let max: PrimitiveValue | undefined
  for (const row of rows) {
    const raw = valueAt(row, leaf.path)
    if (raw === null || raw === undefined) nulls++
    else if (floating && Number.isNaN(raw)) nans++
    else {
      const v = normalize(leaf.type, raw)
      if (min === undefined || compareValues(v, min) < 0) min = v
      if (max === undefined || compareValues(v, max) > 0) max = v
    }
  }
  return { type: leaf.type, values: rows.length, nulls, nans, min, max }
}

/** Statistics of every primitive column outside lists and maps, by field id, in schema order. */
export function rowStats(schema: Schema, rows: readonly unknown[]): Map<number, ColumnStats> {
  return new Map(leaves(schema.fields).map((leaf) => [leaf.id, columnStats(leaf, rows)]))
}
