/**
 * Picking rows out of a `ColumnBatch` by index: how a batch filled in arrival order is split into the
 * files of its partitions without going back to row objects. Typed arrays are copied value by value
 * (longs as their two 32-bit halves, so no bigint is made); lists and maps take their items along.
 */
import type { PrimitiveValue } from '../schema/types.ts'
import { bytesToUuid } from '../schema/values.ts'
import { type AnyColumn, ColumnBatch } from './batch.ts'
import type { LeafColumn } from './columns.ts'

const TWO_32 = 4294967296

/** A new batch holding the rows at `indices` of `batch`, in that order. */
export function takeRows(batch: ColumnBatch, indices: Int32Array): ColumnBatch {
  const out = ColumnBatch.of(batch.schema, indices.length)!
  for (const [i, c] of batch.columns.entries()) take(c, out.columns[i]!, indices)
  return out
}

/** The value of row `i` of a leaf column as a row would hold it (a long as a number when it is exact). */
export function valueAt(column: LeafColumn, i: number): PrimitiveValue | null {
  if (column.valid[i] === 0) return null
  switch (column.kind) {
    case 'float':
    case 'int':
      return column.values[i]!
    case 'string':
      return column.at(i)
    case 'bool':
      return column.values[i] === 1
    case 'bytes':
      return column.type === 'uuid' ? bytesToUuid(column.values[i]!) : column.values[i]!
    case 'long': {
      const hi = column.halves[2 * i + 1]!
      // Within ±2^53 the halves make the number exactly; beyond, only a bigint holds it
      if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + (column.halves[2 * i]! >>> 0)
      return column.values[i]!
    }
  }
}

function take(src: AnyColumn, dst: AnyColumn, idx: Int32Array): void {
  takeSlots(src, dst, idx)
  if (src.kind === 'list' && dst.kind === 'list') {
    const items = takeOffsets(src.offsets, dst.offsets, idx)
    take(src.element, dst.element, items)
  } else if (src.kind === 'map' && dst.kind === 'map') {
    const items = takeOffsets(src.offsets, dst.offsets, idx)
    take(src.keys, dst.keys, items)
    take(src.values, dst.values, items)
  } else takeValues(src as LeafColumn, dst as LeafColumn, idx)
}

/** Validity, null count and length of the picked slots. */
function takeSlots(src: AnyColumn, dst: AnyColumn, idx: Int32Array): void {
  const n = idx.length
  dst.reserve(n)
  const from = src.valid
  const to = dst.valid
  let valid = 0
  for (let j = 0; j < n; j++) valid += to[j] = from[idx[j]!]!
  dst.nulls = n - valid
  dst.length = n
}

/** Offsets of the picked rows of a list or map; returns the indices of their items in the source. */
function takeOffsets(from: Int32Array, to: Int32Array, idx: Int32Array): Int32Array {
  let total = 0
  to[0] = 0
  for (let j = 0; j < idx.length; j++) {
    const r = idx[j]!
    total += from[r + 1]! - from[r]!
    to[j + 1] = total
  }
  const items = new Int32Array(total)
  let k = 0
  for (let j = 0; j < idx.length; j++) {
    const r = idx[j]!
    for (let s = from[r]!; s < from[r + 1]!; s++) items[k++] = s
  }
  return items
}

function takeValues(src: LeafColumn, dst: LeafColumn, idx: Int32Array): void {
  const n = idx.length
  if (src.kind === 'long' && dst.kind === 'long') {
    const from = src.halves
    const to = dst.halves
    for (let j = 0; j < n; j++) {
      const r = 2 * idx[j]!
      to[2 * j] = from[r]!
      to[2 * j + 1] = from[r + 1]!
    }
  } else if (src.kind === 'string' && dst.kind === 'string') {
    dst.adopt(src.dictionary)
    const from = src.codes
    const to = dst.codes
    for (let j = 0; j < n; j++) to[j] = from[idx[j]!]!
  } else if (src.kind === 'bytes' && dst.kind === 'bytes') {
    const from = src.values
    const to = dst.values
    for (let j = 0; j < n; j++) to.push(from[idx[j]!]!)
  } else {
    const from = (src as { values: Float64Array }).values
    const to = (dst as { values: Float64Array }).values
    for (let j = 0; j < n; j++) to[j] = from[idx[j]!]!
  }
}
