/**
 * The predicate of a row delta, `column IN (values)`, as pure functions: which files may hold a match
 * (by their column bounds) and which rows match (by value, integers and bigints alike).
 */
import { IcebergError } from '../errors.ts'
import { compareValues } from '../manifest/manifest-list.ts'
import type { DataFile } from '../manifest/types.ts'
import { fromBytes } from '../spec/single-value.ts'
import type { NestedField, PrimitiveType, Schema } from '../spec/types.ts'

/** Rows whose `column` equals one of `values` (e.g. `{ column: 'user_id', in: ['u1', 'u2'] }`). */
export interface RowFilter {
  readonly column: string
  readonly in: readonly unknown[]
}

/** A filter bound to a table schema: the field, and the values as comparison keys. */
export interface BoundFilter {
  readonly field: NestedField
  readonly keys: ReadonlySet<string>
  readonly values: readonly unknown[]
}

const PRUNABLE = new Set(['string', 'int', 'long', 'date', 'timestamp', 'timestamptz'])

/** A comparison key: `5`, `5n` and `'5'` differ by kind, numbers and bigints of one value agree. */
export function valueKey(v: unknown): string {
  if (typeof v === 'bigint' || typeof v === 'number') return `n:${String(v)}`
  if (typeof v === 'string') return `s:${v}`
  return `o:${String(v)}`
}

/** Binds a filter to a schema; the column must be a top-level primitive. */
export function bindFilter(schema: Schema, filter: RowFilter): BoundFilter {
  const field = schema.fields.find((f) => f.name === filter.column)
  if (field === undefined || typeof field.type !== 'string')
    throw new IcebergError(
      'INVALID_ARGUMENT',
      `no top-level primitive column '${filter.column}' to filter on`,
    )
  return { field, keys: new Set(filter.in.map(valueKey)), values: filter.in }
}

/** False only when the file's bounds prove no row matches (truncated bounds still enclose every value). */
export function mayMatch(f: BoundFilter, file: DataFile): boolean {
  const type = f.field.type as PrimitiveType
  const lo = file.lowerBounds?.get(f.field.id)
  const hi = file.upperBounds?.get(f.field.id)
  if (!PRUNABLE.has(type) || lo === undefined || hi === undefined) return true
  const lower = fromBytes(type, lo)
  const upper = fromBytes(type, hi)
  return f.values.some((v) => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isInteger(v))) return true
    const value =
      type === 'string'
        ? String(v)
        : typeof v === 'number' && type !== 'int' && type !== 'date'
          ? BigInt(v)
          : v
    return compareValues(lower, value as never) <= 0 && compareValues(value as never, upper) <= 0
  })
}

/** True when a row's value matches. */
export function matches(f: BoundFilter, value: unknown): boolean {
  return value !== null && value !== undefined && f.keys.has(valueKey(value))
}
