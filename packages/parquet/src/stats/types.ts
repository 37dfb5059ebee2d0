/** What statistics say about the slots of a column, and about a whole column of a written file. */
import type { PrimitiveType, PrimitiveValue } from '../schema/types.ts'

/**
 * Statistics of some slots of one column: nulls, NaNs, and the smallest and largest value in the order
 * of `compareValues` (-0 before +0, strings by code point, bytes unsigned), NaN and null left out.
 */
export interface SlotStats {
  readonly nulls: number
  readonly nans: number
  readonly min: PrimitiveValue | undefined
  readonly max: PrimitiveValue | undefined
}

/**
 * Statistics of one column of a written file, whole (not truncated): what Iceberg's column metrics
 * (value, null and NaN counts, lower and upper bounds) are made from. Longs are bigints, a `float` is
 * rounded to 32 bits, a UUID is its 16 bytes.
 */
export interface ColumnStats extends SlotStats {
  readonly type: PrimitiveType
  /** Values in the column: one per row, nulls included. */
  readonly values: number
}
