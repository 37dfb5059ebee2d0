import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type ClusterMetadata, Reader } from '@platformatic/kafka'
import { parseFetchResponse } from '../../src/kafka/fetch-response.ts'
import { clientDecompress } from '../../src/kafka/inflate-guard.ts'
import { decodeResponse } from '../../src/kafka/platformatic-fetch.ts'
import { fetchResponseV17, recordBatch } from './batches.ts'

const MiB = 1024 * 1024
const TOPIC_ID = '0b9a8e2c-1d2f-4a5b-8c6d-7e8f9a0b1c2d'
const metadata = { topics: new Map([['raw', { id: TOPIC_ID }]]) } as unknown as ClusterMetadata
const text = (...values: string[]) => values.map((v) => Buffer.from(v))

/** Partition 0: two records, a zstd bomb of 3 records, a gzip batch of one record; partition 1: one record. */
function response(): Buffer {
  const p0 = Buffer.concat([
    recordBatch(10, text('a', 'b'), 'none'),
    recordBatch(12, [Buffer.alloc(4 * MiB), Buffer.alloc(4 * MiB), Buffer.alloc(4 * MiB)], 'zstd'),
    recordBatch(15, text('c'), 'gzip'),
  ])
  return fetchResponseV17(TOPIC_ID, [
    { index: 0, records: p0 },
    { index: 1, records: recordBatch(3, text('x'), 'snappy') },
  ])
}

const positions = [
  { topic: 'raw', partition: 0, offset: 10n },
  { topic: 'raw', partition: 1, offset: 3n },
]

describe('a Fetch response read with the inflate bound', () => {
  it('keeps the readable batches and stands one record for the batch beyond the bound', () => {
    const parsed = parseFetchResponse(Reader.from(response()), MiB, clientDecompress)
    const { records, next } = decodeResponse(parsed, positions, metadata)
    assert.deepEqual(
      records.map((r) => [r.partition, r.offset, r.value?.toString() ?? null]),
      [
        [0, 10n, 'a'],
        [0, 11n, 'b'],
        [0, 14n, null],
        [0, 15n, 'c'],
        [1, 3n, 'x'],
      ],
    )
    const marker = records[2]!
    assert.equal(marker.key, null)
    assert.deepEqual(
      { ...marker.unreadable, compressedBytes: 0 },
      {
        reason: 'inflate_limit',
        firstOffset: 12n,
        lastOffset: 14n,
        codec: 'zstd',
        compressedBytes: 0,
        limit: MiB,
      },
    )
    assert.ok(marker.unreadable!.compressedBytes > 0 && marker.unreadable!.compressedBytes < 64 * 1024)
    assert.deepEqual(next, [
      { topic: 'raw', partition: 0, offset: 16n },
      { topic: 'raw', partition: 1, offset: 4n },
    ])
  })

  it('reads every batch when the bound allows them', () => {
    const parsed = parseFetchResponse(Reader.from(response()), 16 * MiB, clientDecompress)
    const { records } = decodeResponse(parsed, positions, metadata)
    assert.equal(records.length, 7)
    assert.ok(records.every((r) => r.unreadable === undefined))
  })

  it('leaves out a batch the broker cut short at the end of a partition', () => {
    const whole = recordBatch(0, text('a'), 'none')
    const cut = recordBatch(1, text('b'), 'none').subarray(0, 30)
    const body = fetchResponseV17(TOPIC_ID, [{ index: 0, records: Buffer.concat([whole, cut]) }])
    const parsed = parseFetchResponse(Reader.from(body), MiB, clientDecompress)
    const { records, next } = decodeResponse(parsed, [{ topic: 'raw', partition: 0, offset: 0n }], metadata)
    assert.deepEqual(
      records.map((r) => r.value?.toString()),
      ['a'],
    )
    assert.deepEqual(next, [{ topic: 'raw', partition: 0, offset: 1n }])
  })
})
