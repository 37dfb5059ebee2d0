/**
 * Statistics of column slots, one tight loop per physical type over the typed arrays of `columns.ts`:
 * nulls, NaNs, and the smallest and largest value in the order of `order.ts` (-0 before +0, strings by code
 * point, bytes unsigned, NaN and null left out). `init / add / merge / result` as everywhere: a
 * chunk's statistics are `leafStats`, a file's are its chunks' merged (`mergeStats`).
 */
import type { LeafColumn } from '../batch/columns.ts'
import type { PrimitiveValue } from '../schema/types.ts'
import { compareValues } from './order.ts'
import type { SlotStats } from './types.ts'

/** Statistics of nothing. */
export const NO_STATS: SlotStats = { nulls: 0, nans: 0, min: undefined, max: undefined }

function lessFloat(a: number, b: number): boolean {
  return a < b || (a === 0 && b === 0 && 1 / a < 1 / b)
}

function floatStats(values: Float64Array | Float32Array, valid: Uint8Array, s0: number, s1: number) {
  let nulls = 0
  let nans = 0
  let min = Number.NaN
  let max = Number.NaN
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) {
      nulls++
      continue
    }
    const v = values[i]!
    if (Number.isNaN(v)) nans++
    else if (Number.isNaN(min)) min = max = v
    else if (lessFloat(v, min)) min = v
    else if (lessFloat(max, v)) max = v
  }
  return Number.isNaN(min) ? { nulls, nans, min: undefined, max: undefined } : { nulls, nans, min, max }
}

function intStats(values: Int32Array | Uint8Array, valid: Uint8Array, s0: number, s1: number) {
  let nulls = 0
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) {
      nulls++
      continue
    }
    const v = values[i]!
    if (v < min) min = v
    if (v > max) max = v
  }
  return min > max ? { nulls, min: undefined, max: undefined } : { nulls, min, max }
}

function longStats(values: BigInt64Array, halves: Int32Array, valid: Uint8Array, s0: number, s1: number) {
  let nulls = 0
  let lo = -1
  let hi = -1
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) {
      nulls++
      continue
    }
    // Compare the signed high halves, then the unsigned low halves: no bigint per value
    const h = halves[2 * i + 1]!
    const l = halves[2 * i]! >>> 0
    if (lo < 0) lo = hi = i
    else {
      const hl = halves[2 * lo + 1]!
      if (h < hl || (h === hl && l < halves[2 * lo]! >>> 0)) lo = i
      const hh = halves[2 * hi + 1]!
      if (h > hh || (h === hh && l > halves[2 * hi]! >>> 0)) hi = i
    }
  }
  return lo < 0 ? { nulls, min: undefined, max: undefined } : { nulls, min: values[lo]!, max: values[hi]! }
}

/** True when every UTF-16 unit is below the surrogates, so `<` on it agrees with code point order. */
function belowSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return false
  return true
}

/**
 * Bounds of strings. JavaScript's `<` compares UTF-16 units, which disagrees with code point order
 * only where a surrogate meets a unit from U+E000 up; while the current bound has no unit from
 * U+D800 up, that cannot happen, so the native comparison is exact and the slow one rarely runs.
 */
function stringStats(
  values: readonly string[],
  codes: Int32Array | undefined,
  valid: Uint8Array | undefined,
  s0: number,
  s1: number,
) {
  let nulls = 0
  let min: string | undefined
  let max: string | undefined
  let minPlain = true
  let maxPlain = true
  for (let i = s0; i < s1; i++) {
    if (valid !== undefined && valid[i] === 0) {
      nulls++
      continue
    }
    const v = values[codes === undefined ? i : codes[i]!]!
    if (min === undefined || max === undefined) {
      min = max = v
      minPlain = maxPlain = belowSurrogates(v)
      continue
    }
    if (minPlain ? v < min : compareValues(v, min) < 0) {
      min = v
      minPlain = belowSurrogates(v)
    } else if (maxPlain ? v > max : compareValues(v, max) > 0) {
      max = v
      maxPlain = belowSurrogates(v)
    }
  }
  return { nulls, min, max }
}

function bytesStats(values: readonly Uint8Array[], valid: Uint8Array, s0: number, s1: number) {
  let nulls = 0
  let min: Uint8Array | undefined
  let max: Uint8Array | undefined
  for (let i = s0; i < s1; i++) {
    if (valid[i] === 0) {
      nulls++
      continue
    }
    const v = values[i]!
    if (min === undefined || max === undefined) min = max = v
    else if (compareValues(v, min) < 0) min = v
    else if (compareValues(v, max) > 0) max = v
  }
  return { nulls, min, max }
}

/**
 * Statistics of slots `s0 … s1` of a column. With `distinct` (the strings of a dictionary built over
 * the same slots), bounds come from those values, not from every slot.
 */
export function leafStats(
  column: LeafColumn,
  s0: number,
  s1: number,
  distinct?: readonly string[],
): SlotStats {
  const { valid } = column
  switch (column.kind) {
    case 'float':
      return floatStats(column.values, valid, s0, s1)
    case 'int':
      return { nans: 0, ...intStats(column.values, valid, s0, s1) }
    case 'bool': {
      const s = intStats(column.values, valid, s0, s1)
      if (s.min === undefined) return { nulls: s.nulls, nans: 0, min: undefined, max: undefined }
      return { nulls: s.nulls, nans: 0, min: s.min === 1, max: s.max === 1 }
    }
    case 'long':
      return { nans: 0, ...longStats(column.values, column.halves, valid, s0, s1) }
    case 'string': {
      if (distinct === undefined)
        return { nans: 0, ...stringStats(column.dictionary.strings, column.codes, valid, s0, s1) }
      let nulls = 0
      for (let i = s0; i < s1; i++) nulls += 1 - valid[i]!
      const d = stringStats(distinct, undefined, undefined, 0, distinct.length)
      return { nulls, nans: 0, min: d.min, max: d.max }
    }
    case 'bytes':
      return { nans: 0, ...bytesStats(column.values, valid, s0, s1) }
  }
}

/** The statistics of slots covered by `a` and by `b`. */
export function mergeStats(a: SlotStats, b: SlotStats): SlotStats {
  const pick = (x: PrimitiveValue | undefined, y: PrimitiveValue | undefined, sign: number) =>
    x === undefined ? y : y === undefined ? x : compareValues(y, x) * sign < 0 ? y : x
  return {
    nulls: a.nulls + b.nulls,
    nans: a.nans + b.nans,
    min: pick(a.min, b.min, 1),
    max: pick(a.max, b.max, -1),
  }
}
