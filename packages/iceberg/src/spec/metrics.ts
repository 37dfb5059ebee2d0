/**
 * Column metrics of a data file as a manifest's data_file stores them, made from the Parquet writer's
 * column statistics: value, null and NaN (float/double only) counts, and lower/upper bounds in the
 * binary single-value form, strings and binary truncated (16 by default, the reference
 * implementation's `truncate(16)` mode). Columns inside lists and maps get none: they are optional.
 */
import { type ColumnStats, rowStats } from '@healthstream/parquet'
import { DEFAULT_BOUND_LENGTH, toBytes, truncateLower, truncateUpper } from './single-value.ts'
import type { Schema } from './types.ts'

/** Per-column metrics keyed by field id, as stored in a manifest's data_file. */
export interface FileMetrics {
  readonly valueCounts: Map<number, number>
  readonly nullValueCounts: Map<number, number>
  readonly nanValueCounts: Map<number, number>
  readonly lowerBounds: Map<number, Uint8Array>
  readonly upperBounds: Map<number, Uint8Array>
}

/** The metrics of a file whose columns have these statistics (by field id, as the writer reports them). */
export function metricsOf(
  stats: ReadonlyMap<number, ColumnStats>,
  boundLength = DEFAULT_BOUND_LENGTH,
): FileMetrics {
  const m: FileMetrics = {
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    nanValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  }
  for (const [id, s] of stats) {
    m.valueCounts.set(id, s.values)
    m.nullValueCounts.set(id, s.nulls)
    if (s.type === 'float' || s.type === 'double') m.nanValueCounts.set(id, s.nans)
    if (s.min === undefined || s.max === undefined) continue
    m.lowerBounds.set(id, toBytes(s.type, truncateLower(s.type, s.min, boundLength)))
    const upper = truncateUpper(s.type, s.max, boundLength)
    if (upper !== undefined) m.upperBounds.set(id, toBytes(s.type, upper))
  }
  return m
}

/** Computes metrics for every primitive column outside lists and maps from the rows of a file. */
export function computeMetrics(
  schema: Schema,
  rows: readonly unknown[],
  boundLength = DEFAULT_BOUND_LENGTH,
): FileMetrics {
  return metricsOf(rowStats(schema, rows), boundLength)
}
