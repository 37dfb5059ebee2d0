/**
 * Kafka record batches (magic 2, uncompressed) written straight into one buffer. @platformatic/kafka
 * builds every record in its own growable writer (a handful of small buffers each) and copies each
 * batch once more to checksum it; a hop's transaction carries thousands of records, so that was a
 * third of the validator's allocation. Here a first pass measures every record, a second writes them
 * where they go. The bytes are the client's, byte for byte (`produce-request.test.ts` compares them).
 */
import { crc32c } from '@platformatic/kafka'

/** A record as the producer holds it once serialized. */
export interface BatchRecord {
  readonly key?: Buffer | null | undefined
  readonly value?: Buffer | null | undefined
  readonly headers?: ReadonlyMap<Buffer, Buffer | null | undefined> | undefined
  /** ms since the epoch */
  readonly timestamp: bigint | number
}

/** What the batch header says of its producer. */
export interface BatchProducer {
  readonly producerId: bigint
  readonly producerEpoch: number
  /** The sequence number of the batch's first record (-1: not idempotent). */
  readonly firstSequence: number
  readonly transactional: boolean
}

/** baseOffset … recordCount: 8 + 4 + 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4 */
const BATCH_HEADER_BYTES = 61
/** Where the CRC-covered part starts (attributes) and where the CRC itself sits. */
const CRC_FROM = 21
const CRC_AT = 17
const MAGIC = 2
const TRANSACTIONAL = 1 << 4

/** A batch header's fields (magic 2): `bytes` is the whole batch, header included. */
export interface BatchHeader {
  readonly bytes: number
  /** Compression codec bits, the transactional bit */
  readonly attributes: number
  readonly count: number
  readonly firstTimestamp: number | bigint
  readonly maxTimestamp: number | bigint
  readonly producerId: bigint
  readonly producerEpoch: number
  readonly firstSequence: number
  /** 0 from this client, as @platformatic/kafka writes; the broker sets its own */
  readonly partitionLeaderEpoch: number
}

/** Writes a batch header at `offset`; returns where its records start. The CRC comes with `sealBatch`. */
export function writeBatchHeader(target: Buffer, offset: number, header: BatchHeader): number {
  target.writeBigInt64BE(0n, offset) // base offset: the broker assigns it
  target.writeInt32BE(header.bytes - 12, offset + 8)
  target.writeInt32BE(header.partitionLeaderEpoch, offset + 12)
  target.writeInt8(MAGIC, offset + 16)
  target.writeInt16BE(header.attributes, offset + CRC_FROM)
  target.writeInt32BE(header.count - 1, offset + 23)
  target.writeBigInt64BE(BigInt(header.firstTimestamp), offset + 27)
  target.writeBigInt64BE(BigInt(header.maxTimestamp), offset + 35)
  target.writeBigInt64BE(header.producerId, offset + 43)
  target.writeInt16BE(header.producerEpoch, offset + 51)
  target.writeInt32BE(header.firstSequence, offset + 53)
  target.writeInt32BE(header.count, offset + 57)
  return offset + BATCH_HEADER_BYTES
}

/** Writes the CRC of the batch `[start, end)` of `target` (attributes to the end, Castagnoli). */
export function sealBatch(target: Buffer, start: number, end: number): void {
  target.writeUInt32BE(crc32c(target.subarray(start + CRC_FROM, end)) >>> 0, start + CRC_AT)
}

/** A batch measured: its size, and each record's size without its length prefix. */
export interface MeasuredBatch {
  readonly bytes: number
  readonly bodies: Int32Array
  readonly firstTimestamp: number
  readonly maxTimestamp: number
}

/** Measures a batch of `records` (at least one) for `writeRecordBatch`. */
export function measureRecordBatch(records: readonly BatchRecord[]): MeasuredBatch {
  const bodies = new Int32Array(records.length)
  const firstTimestamp = Number(records[0]!.timestamp)
  let maxTimestamp = firstTimestamp
  let bytes = BATCH_HEADER_BYTES
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    const timestamp = Number(record.timestamp)
    if (timestamp > maxTimestamp) maxTimestamp = timestamp
    let body = 1 + varintBytes(zigzag(timestamp - firstTimestamp)) + varintBytes(zigzag(i))
    body += bytesField(record.key) + bytesField(record.value)
    const headers = record.headers
    body += varintBytes(zigzag(headers?.size ?? 0))
    if (headers !== undefined)
      for (const [name, value] of headers) body += bytesField(name) + bytesField(value)
    bodies[i] = body
    bytes += varintBytes(zigzag(body)) + body
  }
  return { bytes, bodies, firstTimestamp, maxTimestamp }
}

/** Writes the batch measured by `measureRecordBatch` at `offset` of `target`; returns the end. */
export function writeRecordBatch(
  target: Buffer,
  offset: number,
  records: readonly BatchRecord[],
  measured: MeasuredBatch,
  producer: BatchProducer,
): number {
  const start = offset
  offset = writeBatchHeader(target, offset, {
    bytes: measured.bytes,
    attributes: producer.transactional ? TRANSACTIONAL : 0,
    count: records.length,
    firstTimestamp: measured.firstTimestamp,
    maxTimestamp: measured.maxTimestamp,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    firstSequence: producer.firstSequence,
    partitionLeaderEpoch: 0,
  })
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!
    offset = writeVarint(target, offset, zigzag(measured.bodies[i]!))
    target[offset++] = 0 // record attributes: none are defined
    offset = writeVarint(target, offset, zigzag(Number(record.timestamp) - measured.firstTimestamp))
    offset = writeVarint(target, offset, zigzag(i))
    offset = writeBytesField(target, offset, record.key)
    offset = writeBytesField(target, offset, record.value)
    const headers = record.headers
    offset = writeVarint(target, offset, zigzag(headers?.size ?? 0))
    if (headers !== undefined)
      for (const [name, value] of headers) {
        offset = writeBytesField(target, offset, name)
        offset = writeBytesField(target, offset, value)
      }
  }
  sealBatch(target, start, offset)
  return offset
}

/** One batch in a buffer of its own. */
export function encodeRecordBatch(records: readonly BatchRecord[], producer: BatchProducer): Buffer {
  const measured = measureRecordBatch(records)
  const target = Buffer.allocUnsafe(measured.bytes)
  writeRecordBatch(target, 0, records, measured, producer)
  return target
}

/** Zigzag of a safe integer, without 32-bit operators (timestamp deltas can exceed them). */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1
}

/** Bytes of an unsigned varint. */
export function varintBytes(n: number): number {
  let bytes = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    bytes++
  }
  return bytes
}

/** Writes an unsigned varint; returns the end. */
export function writeVarint(target: Buffer, offset: number, n: number): number {
  while (n >= 0x80) {
    target[offset++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  target[offset++] = n
  return offset
}

/** A varint length (-1 for null) and the bytes. */
function bytesField(bytes: Buffer | null | undefined): number {
  return bytes == null ? 1 : varintBytes(zigzag(bytes.length)) + bytes.length
}

function writeBytesField(target: Buffer, offset: number, bytes: Buffer | null | undefined): number {
  if (bytes == null) return writeVarint(target, offset, 1) // zigzag(-1)
  offset = writeVarint(target, offset, zigzag(bytes.length))
  bytes.copy(target, offset)
  return offset + bytes.length
}
