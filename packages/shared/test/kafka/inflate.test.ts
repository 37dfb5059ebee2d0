import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import zlib from 'node:zlib'
import { compressionsAlgorithms } from '@platformatic/kafka'
import {
  BatchInflateLimitError,
  type Codec,
  inflateBounded,
  isBatchInflateLimit,
  lz4InflatedBound,
  snappyInflatedSize,
} from '../../src/kafka/inflate.ts'

const client = compressionsAlgorithms as unknown as Record<
  Codec,
  { compressSync(data: Buffer): Buffer; decompressSync(data: Buffer): Buffer }
>
const compress = (codec: Codec, data: Buffer): Buffer => Buffer.from(client[codec].compressSync(data))
const decompress = (codec: Codec) => (data: Buffer) => Buffer.from(client[codec].decompressSync(data))
const data = Buffer.from('0123456789abcdef'.repeat(4096)) // 64 KiB

describe('inflateBounded', () => {
  for (const codec of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`inflates ${codec} data of exactly the bound`, () => {
      const out = inflateBounded(codec, compress(codec, data), data.length, decompress(codec))
      assert.deepEqual(out, data)
    })

    it(`refuses ${codec} data one byte over the bound, naming codec, sizes and bound`, () => {
      const compressed = compress(codec, data)
      assert.throws(
        () => inflateBounded(codec, compressed, data.length - 1, decompress(codec)),
        (error: unknown) =>
          error instanceof BatchInflateLimitError &&
          isBatchInflateLimit(error) &&
          error.codec === codec &&
          error.compressedBytes === compressed.length &&
          error.limit === data.length - 1 &&
          error.canRetry === false,
      )
    })
  }

  it('stops a gzip bomb at the bound: 64 MiB of zeros from 64 KiB of gzip', () => {
    const zeros = Buffer.alloc(1024 * 1024)
    const gzip = zlib.createGzip({ level: 9 })
    const chunks: Buffer[] = []
    gzip.on('data', (c: Buffer) => chunks.push(c))
    for (let i = 0; i < 64; i++) gzip.write(zeros)
    gzip.end()
    return new Promise<void>((resolve) =>
      gzip.on('end', () => {
        const bomb = Buffer.concat(chunks)
        assert.throws(
          () => inflateBounded('gzip', bomb, 1024 * 1024, decompress('gzip')),
          isBatchInflateLimit,
        )
        resolve()
      }),
    )
  })

  it('lets errors other than the bound through (corrupt gzip)', () => {
    assert.throws(
      () => inflateBounded('gzip', Buffer.from('not gzip at all'), 1024, decompress('gzip')),
      (error: unknown) => !isBatchInflateLimit(error),
    )
  })
})

describe('the sizes snappy and lz4 declare', () => {
  it('reads the inflated length of a raw snappy block', () => {
    assert.equal(snappyInflatedSize(compress('snappy', data)), data.length)
  })

  it('sums the lengths of xerial snappy chunks', () => {
    const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1])
    const chunk = (raw: Buffer) => {
      const block = compress('snappy', raw)
      const length = Buffer.alloc(4)
      length.writeUInt32BE(block.length)
      return Buffer.concat([length, block])
    }
    const xerial = Buffer.concat([header, chunk(data), chunk(data.subarray(0, 100))])
    assert.equal(snappyInflatedSize(xerial), data.length + 100)
  })

  it('bounds an lz4 frame by its block size per block, never below what it inflates to', () => {
    const frame = compress('lz4', data)
    const bound = lz4InflatedBound(frame)
    assert.ok(bound >= data.length, `${bound} ≥ ${data.length}`)
    assert.ok(bound <= data.length + 4 * 1024 * 1024, `${bound} is one block size at most above`)
  })

  it('refuses what is not an lz4 frame', () => {
    assert.throws(() => lz4InflatedBound(Buffer.from('plainly not lz4')), /not an lz4 frame/)
  })
})
