/**
 * Watermark marks: how the aggregator tells the readers of `health-data-aggregates` how far the windows
 * of each of its input partitions have fired. After the window rows of a transaction it writes, for every
 * input partition whose firing watermark moved, one mark to every partition of the aggregates topic; a
 * reader past a mark on a partition has read every row of that input partition's windows ending at or
 * before the mark's watermark that went to that partition (they were written before it, in this
 * transaction or an earlier one). The lake-writer turns them into `healthstream.complete-before`.
 *
 * A mark has a null value (a tombstone of a key no window has, so compaction drops it in time and Avro
 * readers never see a value that is not an AggregateRecord) and its data in a header.
 */
import { Buffer } from 'node:buffer'
import type { OutputRecord, RecordHeaders } from './ports.ts'

/** The header that makes a record a mark: `<input partition>:<watermark, epoch micros>`. */
export const WATERMARK_HEADER = 'healthstream-watermark'

/** What a mark says: the input partition's windows ending at or before `watermark` have fired. */
export interface WatermarkMark {
  /** Partition of the aggregator's input topic (health-data-validated). */
  readonly sourcePartition: number
  /** Firing watermark, epoch microseconds. */
  readonly watermark: bigint
}

/** The mark of `mark` on partition `partition` of `topic`. */
export function watermarkMarkRecord(topic: string, partition: number, mark: WatermarkMark): OutputRecord {
  const headers = new Map([[WATERMARK_HEADER, Buffer.from(`${mark.sourcePartition}:${mark.watermark}`)]])
  return {
    topic,
    partition,
    key: Buffer.from(`healthstream.watermark/${mark.sourcePartition}`),
    value: null,
    headers,
  }
}

/** The mark a consumed record carries; null for any other record (or a header this version cannot read). */
export function readWatermarkMark(headers: RecordHeaders | undefined): WatermarkMark | null {
  const raw = headers?.get(WATERMARK_HEADER)
  if (raw === undefined) return null
  const m = /^(\d{1,9}):(-?\d{1,19})$/.exec(raw.toString('utf8'))
  return m === null ? null : { sourcePartition: Number(m[1]), watermark: BigInt(m[2]!) }
}
