import type { WrittenParquet } from '@healthstream/parquet'
import { metricsOf } from '../spec/metrics.ts'

/**
 * What a manifest says of any Parquet file this library wrote, data or deletes: its size, record
 * count, split offsets and column metrics (bounds cut to `boundLength`).
 */
export function writtenFileFacts(written: WrittenParquet, boundLength?: number) {
  const metrics = metricsOf(written.columnStats, boundLength)
  return {
    recordCount: written.recordCount,
    fileSizeInBytes: written.bytes.length,
    columnSizes: written.columnSizes,
    valueCounts: metrics.valueCounts,
    nullValueCounts: metrics.nullValueCounts,
    nanValueCounts: metrics.nanValueCounts,
    lowerBounds: metrics.lowerBounds,
    upperBounds: metrics.upperBounds,
    splitOffsets: written.splitOffsets,
  }
}
