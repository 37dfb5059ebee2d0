/**
 * Decompression of record batches with a bound on the inflated size, so that one crafted batch (a
 * "decompression bomb": a megabyte of gzip is a gigabyte of zeros, a few kilobytes of zstd as much)
 * fails fast with `BatchInflateLimitError` instead of exhausting the process's memory.
 *
 * gzip and zstd are inflated by `node:zlib` with `maxOutputLength` (Node ≥ 22.15, Bun and Deno alike):
 * inflation stops once the output would pass the bound. snappy and lz4 are checked before they are
 * inflated, from the sizes their framing declares (a raw snappy block starts with its exact inflated
 * length; an lz4 frame's blocks are each at most the frame's block size), then inflated by the client's
 * own decoders.
 */
import zlib from 'node:zlib'
import { type ErrorCode, GenericError } from '@platformatic/kafka'

/** Codecs of Kafka record batches, by the low three bits of the batch attributes. */
export const CODEC_BY_BITS: Readonly<Record<number, Codec>> = { 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' }

/** A compression codec of Kafka record batches. */
export type Codec = 'gzip' | 'snappy' | 'lz4' | 'zstd'

/** Inflates one codec's data without a bound (the client's decoders, for snappy and lz4). */
export type Decompress = (data: Buffer) => Buffer

/** Stable code of `BatchInflateLimitError`. */
export const BATCH_INFLATE_LIMIT = 'HEALTHSTREAM_BATCH_INFLATE_LIMIT'

/**
 * A compressed record batch inflates beyond the bound. Not retriable as such (the same bytes inflate
 * the same way again): the consumer reads the partition again without the client's decoder and turns
 * the batch into an unreadable-batch record, which the services dead-letter.
 *
 * A @platformatic/kafka `GenericError` with `canRetry: false`: the client's retry loop
 * (`kPerformWithRetry`) asks `findErrorBy(error, 'canRetry', false)`, which sees only errors carrying
 * the client's brand, so a plain `Error` with the flag was fetched and inflated again at every retry.
 */
export class BatchInflateLimitError extends GenericError {
  // Defined by GenericError (read-only): declared here, never redefined by a class field
  declare readonly canRetry: false
  declare readonly code: typeof BATCH_INFLATE_LIMIT
  readonly codec: Codec
  readonly compressedBytes: number
  readonly limit: number

  constructor(codec: Codec, compressedBytes: number, limit: number) {
    const message = `${codec} record batch of ${compressedBytes} bytes inflates beyond ${limit} bytes`
    // The client types its constructor's code as one of its own; ours is outside its PLT_KFK_ prefix
    super(BATCH_INFLATE_LIMIT as ErrorCode, message, { canRetry: false })
    this.name = 'BatchInflateLimitError'
    this.codec = codec
    this.compressedBytes = compressedBytes
    this.limit = limit
  }
}

/** True when `error` is a `BatchInflateLimitError` (by code: it may come through another realm or copy). */
export function isBatchInflateLimit(error: unknown): error is BatchInflateLimitError {
  return (error as { code?: unknown } | null)?.code === BATCH_INFLATE_LIMIT
}

/**
 * `data` inflated, or `BatchInflateLimitError` when it would be larger than `limit` bytes. `decompress`
 * inflates snappy and lz4 once their declared sizes are within the bound.
 */
export function inflateBounded(codec: Codec, data: Buffer, limit: number, decompress: Decompress): Buffer {
  const tooLarge = () => new BatchInflateLimitError(codec, data.length, limit)
  switch (codec) {
    case 'gzip':
      return zlibBounded(() => zlib.gunzipSync(data, { maxOutputLength: limit }), tooLarge, limit)
    case 'zstd':
      if (typeof zlib.zstdDecompressSync !== 'function')
        throw new Error('zstd is not supported by this runtime')
      return zlibBounded(() => zlib.zstdDecompressSync(data, { maxOutputLength: limit }), tooLarge, limit)
    case 'snappy':
      if (snappyInflatedSize(data) > limit) throw tooLarge()
      return decompress(data)
    case 'lz4':
      if (lz4InflatedBound(data) > limit) throw tooLarge()
      return decompress(data)
  }
}

/**
 * Runs a zlib inflation with `maxOutputLength`. Node, Bun and Deno all stop at the bound with
 * ERR_BUFFER_TOO_LARGE; the length check after it refuses the batch on a runtime that would ignore the
 * option (though only once the memory was spent).
 */
function zlibBounded(inflate: () => Buffer, tooLarge: () => Error, limit: number): Buffer {
  let out: Buffer
  try {
    out = inflate()
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge()
    throw error
  }
  if (out.length > limit) throw tooLarge()
  return out
}

/** The xerial framing Kafka's Java client wraps snappy in: this magic, two int32 versions, then chunks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER = 16

/**
 * The inflated size snappy data declares: a raw block's leading varint, or the sum of the xerial
 * chunks' (each chunk is `int32 length` + a raw block).
 */
export function snappyInflatedSize(data: Buffer): number {
  if (!data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return uvarint(data, 0)
  let size = 0
  for (let at = XERIAL_HEADER; at < data.length; ) {
    if (at + 4 > data.length) throw new Error('snappy: truncated xerial chunk length')
    const length = data.readUInt32BE(at)
    size += uvarint(data, at + 4)
    at += 4 + length
  }
  return size
}

/** An unsigned LEB128 varint of at most 32 bits at `at`. */
function uvarint(data: Buffer, at: number): number {
  let value = 0
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = data[at++]
    if (byte === undefined) throw new Error('snappy: truncated length preamble')
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return value
  }
  throw new Error('snappy: malformed length preamble')
}

const LZ4_MAGIC = 0x184d2204
const LZ4_BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024]

/**
 * An upper bound of what lz4 frames inflate to: per block its frame's block size (its own size for a
 * block stored uncompressed), summed over the blocks of every frame; skippable frames count nothing.
 */
export function lz4InflatedBound(data: Buffer): number {
  let bound = 0
  let at = 0
  while (at < data.length) {
    if (at + 8 > data.length) throw new Error('lz4: truncated frame header')
    const magic = data.readUInt32LE(at)
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      at += 8 + data.readUInt32LE(at + 4) // skippable frame
      continue
    }
    if (magic !== LZ4_MAGIC) throw new Error('lz4: not an lz4 frame')
    const flags = data[at + 4]!
    const blockMax = LZ4_BLOCK_MAX[(data[at + 5]! >> 4) & 0x7] ?? 0
    if (blockMax === 0) throw new Error('lz4: invalid block size')
    const blockChecksum = (flags & 0x10) !== 0 ? 4 : 0
    at += 6 + ((flags & 0x08) !== 0 ? 8 : 0) + ((flags & 0x01) !== 0 ? 4 : 0) + 1
    for (;;) {
      if (at + 4 > data.length) throw new Error('lz4: truncated block')
      const word = data.readUInt32LE(at)
      at += 4
      if (word === 0) break
      const size = word & 0x7fffffff
      bound += word & 0x80000000 ? size : blockMax
      at += size + blockChecksum
    }
    at += (flags & 0x04) !== 0 ? 4 : 0
  }
  return bound
}
