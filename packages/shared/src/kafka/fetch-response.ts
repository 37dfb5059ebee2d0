/**
 * Our own decoding of a Fetch response (v13 to v17), for the one case the client's cannot handle: a
 * batch that inflates beyond the bound. Where the client's parser gives up on the whole response, this
 * one keeps every readable batch and marks the oversized ones `unreadable`, with their offsets, so the
 * consumer can hand out the partition's records up to the batch, a record standing for the batch, and
 * the records after it. Records are read by the client's own `readRecord`.
 */
import { Reader, readRecord } from '@platformatic/kafka'
import { CODEC_BY_BITS, type Decompress, inflateBounded, isBatchInflateLimit } from './inflate.ts'
import type { FetchedPartition, FetchResponseBody } from './platformatic-fetch.ts'
import type { FetchedBatch, FetchedRecord } from './read-committed.ts'

/** Decodes the codecs the bound does not inflate itself (snappy, lz4): the client's decoders. */
export type DecoderOf = (codec: 'snappy' | 'lz4') => Decompress

/** A decoded Fetch response: the body `decodeResponse` reads, and the response-level error code. */
export interface FetchResponse extends FetchResponseBody {
  readonly errorCode: number
}

/**
 * Reads a Fetch response body (after the response header) of version 13 to 17: the versions that name
 * topics by id and differ only in tagged fields, which are skipped. `limit` bounds each batch's
 * inflated size.
 */
export function parseFetchResponse(reader: Reader, limit: number, decoderOf: DecoderOf): FetchResponse {
  reader.readInt32() // throttle_time_ms
  const errorCode = reader.readInt16()
  reader.readInt32() // session_id
  const responses = reader.readArray((topic) => ({
    topicId: topic.readUUID(),
    partitions: topic.readArray((p) => readPartition(p, limit, decoderOf)),
  }))
  reader.readTaggedFields()
  return { errorCode, responses }
}

function readPartition(reader: Reader, limit: number, decoderOf: DecoderOf): FetchedPartition {
  const partitionIndex = reader.readInt32()
  const errorCode = reader.readInt16()
  reader.skip(8 + 8 + 8) // high_watermark, last_stable_offset, log_start_offset
  const abortedTransactions = reader.readNullableArray((r) => ({
    producerId: r.readInt64(),
    firstOffset: r.readInt64(),
  }))
  reader.readInt32() // preferred_read_replica
  const size = reader.readUnsignedVarInt() - 1 // COMPACT_RECORDS: length + 1, 0 for null
  let records: FetchedBatch[] | null = null
  if (size > 0) {
    records = readBatches(reader.buffer.slice(reader.position, reader.position + size), limit, decoderOf)
    reader.skip(size)
  }
  return { partitionIndex, errorCode, abortedTransactions, records }
}

/** Size of a v2 batch header, from firstOffset to the record count included. */
const HEADER = 61
/** Size of firstOffset and length: what a batch's `length` does not count. */
const LOG_OVERHEAD = 12

/**
 * The record batches (magic 2) in `buffer`; a partial batch at the end (the broker cuts a response at
 * its byte limit) is left out, as the client does.
 */
export function readBatches(buffer: Buffer, limit: number, decoderOf: DecoderOf): FetchedBatch[] {
  const batches: FetchedBatch[] = []
  for (let at = 0; at + LOG_OVERHEAD <= buffer.length; ) {
    const end = at + LOG_OVERHEAD + buffer.readInt32BE(at + 8)
    if (end > buffer.length) break
    const magic = buffer.readInt8(at + 16)
    if (magic !== 2) throw new Error(`record batch at byte ${at} has magic ${magic}, only 2 is supported`)
    batches.push(readBatch(buffer.subarray(at, end), limit, decoderOf))
    at = end
  }
  return batches
}

function readBatch(batch: Buffer, limit: number, decoderOf: DecoderOf): FetchedBatch {
  const attributes = batch.readInt16BE(21)
  const header = {
    firstOffset: batch.readBigInt64BE(0),
    attributes,
    lastOffsetDelta: batch.readInt32BE(23),
    firstTimestamp: batch.readBigInt64BE(27),
    maxTimestamp: batch.readBigInt64BE(35),
    producerId: batch.readBigInt64BE(43),
  }
  const count = batch.readInt32BE(57)
  const payload = batch.subarray(HEADER)
  const codec = CODEC_BY_BITS[attributes & 0x07]
  if ((attributes & 0x07) !== 0 && codec === undefined)
    throw new Error(`record batch with unknown compression ${attributes & 0x07}`)
  if (codec === undefined) return { ...header, records: readRecords(payload, count) }
  try {
    const decoder = codec === 'snappy' || codec === 'lz4' ? decoderOf(codec) : unused
    return { ...header, records: readRecords(inflateBounded(codec, payload, limit, decoder), count) }
  } catch (error) {
    if (!isBatchInflateLimit(error)) throw error
    return { ...header, records: [], unreadable: { codec, compressedBytes: payload.length, limit } }
  }
}

const unused: Decompress = () => {
  throw new Error('gzip and zstd are inflated by node:zlib')
}

function readRecords(payload: Buffer, count: number): FetchedRecord[] {
  const reader = Reader.from(payload)
  const records: FetchedRecord[] = []
  for (let i = 0; i < count; i++) records.push(readRecord(reader))
  return records
}
