import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { OutputRecord } from '../../src/kafka/ports.ts'
import { recordBytes, type SendLimits, sendChunks } from '../../src/kafka/send-chunks.ts'

/** A record whose share of a batch is exactly `bytes` (32 of them framing). */
const record = (topic: string, bytes: number, key = true): OutputRecord => ({
  topic,
  key: key ? Buffer.alloc(1) : null,
  value: Buffer.alloc(bytes - 32 - (key ? 1 : 0)),
})

const LIMITS: SendLimits = { batchBytes: 1000, requestBytes: 2500 }

describe('cutting a transaction’s outputs into produce requests', () => {
  it('counts key, value, headers and framing', () => {
    const headers = new Map([['traceparent', Buffer.alloc(55)]])
    assert.equal(
      recordBytes({ topic: 't', key: Buffer.alloc(4), value: Buffer.alloc(100), headers }),
      4 + 100 + 32 + 11 + 55 + 8,
    )
    assert.equal(recordBytes({ topic: 't', key: null, value: null }), 32)
  })

  const cases: {
    name: string
    records: OutputRecord[]
    partitions: (number | undefined)[]
    chunks: [number, number][]
  }[] = [
    {
      name: 'records of four partitions fit one request where a bound on the whole took three',
      records: Array.from({ length: 8 }, () => record('t', 300)),
      partitions: [0, 1, 2, 3, 0, 1, 2, 3],
      chunks: [[0, 8]],
    },
    {
      name: 'a partition over its batch bound starts the next request',
      records: Array.from({ length: 5 }, () => record('t', 300)),
      partitions: [0, 0, 0, 1, 0],
      chunks: [
        [0, 4],
        [4, 5],
      ],
    },
    {
      name: 'the same partition number of two topics is two batches',
      records: [record('a', 600), record('b', 600)],
      partitions: [0, 0],
      chunks: [[0, 2]],
    },
    {
      name: 'the request bound holds across partitions',
      records: Array.from({ length: 10 }, () => record('t', 400)),
      partitions: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      chunks: [
        [0, 6],
        [6, 10],
      ],
    },
    {
      name: 'a record without a partition counts against every batch',
      records: [record('t', 800), record('t', 300, false), record('t', 300)],
      partitions: [0, undefined, 1],
      chunks: [
        [0, 1],
        [1, 3],
      ],
    },
    {
      name: 'a record larger than the bounds goes alone',
      records: [record('t', 100), record('t', 5000), record('t', 100)],
      partitions: [0, 0, 0],
      chunks: [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
    },
    { name: 'nothing for no records', records: [], partitions: [], chunks: [] },
  ]
  for (const { name, records, partitions, chunks } of cases)
    it(name, () => assert.deepEqual([...sendChunks(records, partitions, LIMITS)], chunks))

  it('keeps every record once, in order, and each request within the bounds (random transactions)', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    for (let run = 0; run < 200; run++) {
      const n = Math.floor(random() * 60)
      const records = Array.from({ length: n }, () =>
        record(random() < 0.5 ? 'a' : 'b', 40 + Math.floor(random() * 500)),
      )
      const partitions = records.map(() => (random() < 0.1 ? undefined : Math.floor(random() * 4)))
      const chunks = [...sendChunks(records, partitions, LIMITS)]
      assert.deepEqual(
        chunks.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i)),
        records.map((_, i) => i),
      )
      for (const [start, end] of chunks) {
        if (end - start === 1) continue
        const slice = records.slice(start, end)
        assert.ok(slice.reduce((a, r) => a + recordBytes(r), 0) <= LIMITS.requestBytes)
        const anywhere = slice
          .filter((_, i) => partitions[start + i] === undefined)
          .reduce((a, r) => a + recordBytes(r), 0)
        const batches = new Map<string, number>()
        slice.forEach((r, i) => {
          const p = partitions[start + i]
          if (p !== undefined)
            batches.set(`${r.topic}/${p}`, (batches.get(`${r.topic}/${p}`) ?? 0) + recordBytes(r))
        })
        for (const bytes of [0, ...batches.values()]) assert.ok(bytes + anywhere <= LIMITS.batchBytes)
      }
    }
  })
})
