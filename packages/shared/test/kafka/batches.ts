/** Record batches and Fetch responses as the broker sends them, built with the client's own writer. */
import { createRecordsBatch, Writer } from '@platformatic/kafka'

export type CompressionName = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** One v2 record batch of `values` at `firstOffset`, compressed with `compression`. */
export function recordBatch(
  firstOffset: number,
  values: readonly Buffer[],
  compression: CompressionName,
): Buffer {
  const messages = values.map((value) => ({ topic: 't', value, timestamp: 1_000n }))
  const bytes = Buffer.from(createRecordsBatch(messages, { compression }).buffer)
  bytes.writeBigInt64BE(BigInt(firstOffset), 0) // the broker assigns offsets; the CRC does not cover them
  return bytes
}

/** A Fetch v17 response body (after the header) with one topic and its partitions' record bytes. */
export function fetchResponseV17(
  topicId: string,
  partitions: readonly { index: number; records: Buffer }[],
): Buffer {
  const writer = Writer.create()
    .appendInt32(0) // throttle_time_ms
    .appendInt16(0) // error_code
    .appendInt32(0) // session_id
    .appendArray([topicId], (w, id) => {
      w.appendUUID(id).appendArray([...partitions], (w, p) => {
        w.appendInt32(p.index)
          .appendInt16(0)
          .appendInt64(100n) // high_watermark
          .appendInt64(100n) // last_stable_offset
          .appendInt64(0n) // log_start_offset
          .appendArray([], () => undefined) // aborted_transactions
          .appendInt32(-1) // preferred_read_replica
          .appendUnsignedVarInt(p.records.length + 1)
          .append(p.records)
      })
    })
    .appendTaggedFields()
  return Buffer.from(writer.buffer)
}
