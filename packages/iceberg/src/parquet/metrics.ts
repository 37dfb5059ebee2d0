/**
 * Column metrics of a data file, computed from the rows written (not from the Parquet footer, so
 * they follow Iceberg's rules exactly): value counts, null counts, NaN counts for float/double,
 * and lower/upper bounds in the binary single-value form, strings and binary truncated to 16.
 * Columns inside lists and maps get no metrics (they are optional in the spec).
 */
import { isPrimitive } from '../spec/schema.ts'
import { DEFAULT_BOUND_LENGTH, toBytes, truncateLower, truncateUpper } from '../spec/single-value.ts'
import type { NestedField, PrimitiveType, Schema } from '../spec/types.ts'
import { type PrimitiveValue, toBigInt } from '../spec/values.ts'

/** Per-column metrics keyed by field id, as stored in a manifest's data_file. */
export interface FileMetrics {
  readonly valueCounts: Map<number, number>
  readonly nullValueCounts: Map<number, number>
  readonly nanValueCounts: Map<number, number>
  readonly lowerBounds: Map<number, Uint8Array>
  readonly upperBounds: Map<number, Uint8Array>
}

interface Leaf {
  readonly id: number
  readonly type: PrimitiveType
  readonly path: readonly string[]
}

function leaves(fields: readonly NestedField[], prefix: readonly string[] = []): Leaf[] {
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

/** Total order of Iceberg values of one type: numbers with -0 < +0, strings by code point, bytes unsigned. */
export function compareTyped(a: PrimitiveValue, b: PrimitiveValue): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (a !== b) return a < b ? -1 : 1
    return a === 0 ? Math.sign(1 / a - 1 / b) : 0
  }
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b)
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
    return a.length - b.length
  }
  return a < b ? -1 : a > b ? 1 : 0
}

function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x === y) continue
    // A surrogate (a code point above U+FFFF) sorts after every BMP unit, as in UTF-8.
    const sx = x >= 0xd800 && x <= 0xdfff
    const sy = y >= 0xd800 && y <= 0xdfff
    if (sx !== sy) return sx ? 1 : -1
    return x - y
  }
  return a.length - b.length
}

const LONGS = new Set(['long', 'time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns'])

function normalize(type: PrimitiveType, v: unknown): PrimitiveValue {
  if (LONGS.has(type) || type.startsWith('decimal')) return toBigInt(v)
  if (type === 'uuid' && typeof v === 'string') return v.toLowerCase()
  return v as PrimitiveValue
}

/** Metrics of no columns, to be filled in. */
export function emptyMetrics(): FileMetrics {
  return {
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    nanValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  }
}

/** Computes metrics for every primitive column outside lists and maps. */
export function computeMetrics(
  schema: Schema,
  rows: readonly unknown[],
  boundLength = DEFAULT_BOUND_LENGTH,
): FileMetrics {
  const m = emptyMetrics()
  for (const leaf of leaves(schema.fields)) {
    const floating = leaf.type === 'float' || leaf.type === 'double'
    let nulls = 0
    let nans = 0
    let lower: PrimitiveValue | undefined
    let upper: PrimitiveValue | undefined
    for (const row of rows) {
      const raw = valueAt(row, leaf.path)
      if (raw === null || raw === undefined) nulls++
      else if (floating && Number.isNaN(raw)) nans++
      else {
        const v = normalize(leaf.type, raw)
        if (lower === undefined || compareTyped(v, lower) < 0) lower = v
        if (upper === undefined || compareTyped(v, upper) > 0) upper = v
      }
    }
    m.valueCounts.set(leaf.id, rows.length)
    m.nullValueCounts.set(leaf.id, nulls)
    if (floating) m.nanValueCounts.set(leaf.id, nans)
    if (lower !== undefined)
      m.lowerBounds.set(leaf.id, toBytes(leaf.type, truncateLower(leaf.type, lower, boundLength)))
    const up = upper === undefined ? undefined : truncateUpper(leaf.type, upper, boundLength)
    if (up !== undefined) m.upperBounds.set(leaf.id, toBytes(leaf.type, up))
  }
  return m
}
