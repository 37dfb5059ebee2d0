import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FetchedBatch } from '../../src/kafka/read-committed.ts'
import { decodeCommitted } from '../../src/kafka/read-committed.ts'

const TRANSACTIONAL = 1 << 4
const CONTROL = 1 << 5

/** A data batch of `values` starting at `offset`, written by `producer` (transactional unless -1). */
function data(offset: number, producer: number, ...values: string[]): FetchedBatch {
  return {
    firstOffset: BigInt(offset),
    lastOffsetDelta: values.length - 1,
    attributes: producer >= 0 ? TRANSACTIONAL : 0,
    firstTimestamp: 1000n,
    maxTimestamp: 1000n + BigInt(values.length),
    producerId: BigInt(producer),
    records: values.map((v, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i),
      key: null,
      value: Buffer.from(v),
      headers: [[Buffer.from('h'), Buffer.from(v)]],
    })),
  }
}

/** A commit or abort marker of `producer` at `offset`. */
function marker(offset: number, producer: number, kind: 'commit' | 'abort'): FetchedBatch {
  const key = Buffer.alloc(4)
  key.writeInt16BE(kind === 'abort' ? 0 : 1, 2)
  return {
    ...data(offset, producer, 'marker'),
    attributes: TRANSACTIONAL | CONTROL,
    records: [{ offsetDelta: 0, timestampDelta: 0n, key, value: Buffer.alloc(6), headers: [] }],
  }
}

const aborted = (producer: number, firstOffset: number) => ({
  producerId: BigInt(producer),
  firstOffset: BigInt(firstOffset),
})
const values = (batches: FetchedBatch[], abortedList = [] as ReturnType<typeof aborted>[], from = 0) =>
  decodeCommitted('t', 0, BigInt(from), batches, abortedList).records.map((r) => r.value?.toString())

test('drops both aborted transactions of a producer that aborted twice in one response', () => {
  const batches = [
    data(0, 7, 'a'),
    marker(1, 7, 'commit'),
    data(2, 7, 'b'),
    marker(3, 7, 'abort'),
    data(4, 7, 'c'),
    marker(5, 7, 'commit'),
    data(6, 7, 'd'),
    marker(7, 7, 'abort'),
    data(8, 7, 'e'),
    marker(9, 7, 'commit'),
  ]
  assert.deepEqual(values(batches, [aborted(7, 2), aborted(7, 6)]), ['a', 'c', 'e'])
})

test('drops an aborted transaction whose abort marker is beyond the end of the response', () => {
  const batches = [data(0, 3, 'a'), marker(1, 3, 'commit'), data(2, 3, 'b1', 'b2')]
  assert.deepEqual(values(batches, [aborted(3, 2)]), ['a'])
})

test('keeps the records of other producers interleaved with an aborted transaction', () => {
  const batches = [data(0, 1, 'x'), data(1, 2, 'keep'), marker(2, 1, 'abort'), marker(3, 2, 'commit')]
  assert.deepEqual(values(batches, [aborted(1, 0)]), ['keep'])
})

test('keeps non-transactional batches and drops control batches', () => {
  assert.deepEqual(values([data(0, -1, 'plain'), marker(1, 5, 'commit')]), ['plain'])
})

test('drops the records of a batch that lie before the fetch offset', () => {
  assert.deepEqual(values([data(10, -1, 'a', 'b', 'c')], [], 12), ['c'])
})

test('reports the offset after the last batch, markers included, as the next position', () => {
  const result = decodeCommitted('t', 0, 0n, [data(0, 4, 'a'), marker(1, 4, 'commit')], [])
  assert.equal(result.next, 2n)
  assert.equal(decodeCommitted('t', 0, 5n, [], []).next, undefined)
})

test('computes offsets, timestamps and headers of each record', () => {
  const [first, second] = decodeCommitted('t', 3, 0n, [data(40, -1, 'a', 'b')], []).records
  assert.deepEqual(
    { topic: first?.topic, partition: first?.partition, offset: first?.offset, timestamp: first?.timestamp },
    { topic: 't', partition: 3, offset: 40n, timestamp: 1000 },
  )
  assert.equal(second?.offset, 41n)
  assert.equal(second?.timestamp, 1001)
  assert.equal(second?.headers.get('h')?.toString(), 'b')
})

/** A batch of `count` offsets at `offset` that could not be inflated. */
function unreadable(offset: number, count: number, producer = -1): FetchedBatch {
  return {
    ...data(offset, producer, ...Array.from({ length: count }, () => '')),
    records: [],
    unreadable: { codec: 'gzip', compressedBytes: 1234, limit: 1 << 20 },
  }
}

test('stands one record, at its last offset, for a batch that could not be inflated', () => {
  const { records, next } = decodeCommitted(
    't',
    2,
    5n,
    [data(5, -1, 'a'), unreadable(6, 3), data(9, -1, 'b')],
    [],
  )
  assert.deepEqual(
    records.map((r) => [r.offset, r.value?.toString() ?? null]),
    [
      [5n, 'a'],
      [8n, null],
      [9n, 'b'],
    ],
  )
  assert.deepEqual(records[1]!.unreadable, {
    reason: 'inflate_limit',
    firstOffset: 6n,
    lastOffset: 8n,
    codec: 'gzip',
    compressedBytes: 1234,
    limit: 1 << 20,
  })
  assert.equal(next, 10n)
})

test('drops an unreadable batch of an aborted transaction like any aborted batch', () => {
  const batches = [unreadable(0, 2, 7), marker(2, 7, 'abort'), data(3, -1, 'after')]
  assert.deepEqual(values(batches, [aborted(7, 0)]), ['after'])
})

test('names only the offsets from the fetch position on for an unreadable batch fetched from its middle', () => {
  const [record] = decodeCommitted('t', 0, 7n, [unreadable(6, 3)], []).records
  assert.equal(record!.unreadable!.firstOffset, 7n)
})
