import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Reader, readRecordsBatches } from '@platformatic/kafka'
import { isBatchInflateLimit } from '../../src/kafka/inflate.ts'
import { DEFAULT_MAX_INFLATED_BYTES, limitInflatedBatches } from '../../src/kafka/inflate-guard.ts'
import { type CompressionName, recordBatch } from './batches.ts'

const MiB = 1024 * 1024
const CODECS: CompressionName[] = ['gzip', 'snappy', 'lz4', 'zstd']

/**
 * These tests go through the client's own parser (`readRecordsBatches`, what its Fetch response parser
 * calls): they fail when the client stops looking its codecs up in the table the guard bounds.
 */
describe("the guard on the client's codec table", () => {
  after(() => limitInflatedBatches(DEFAULT_MAX_INFLATED_BYTES))

  for (const codec of CODECS) {
    it(`makes the client's batch reader refuse a ${codec} batch that inflates beyond the bound`, () => {
      limitInflatedBatches(MiB)
      const bomb = recordBatch(0, [Buffer.alloc(8 * MiB)], codec)
      assert.throws(
        () => readRecordsBatches(Reader.from(bomb)),
        (error: unknown) => isBatchInflateLimit(error) && error.codec === codec && error.limit === MiB,
      )
    })

    it(`lets the client read a ${codec} batch within the bound as before`, () => {
      limitInflatedBatches(MiB)
      const values = [Buffer.from('a'.repeat(1000)), Buffer.from('b'.repeat(2000))]
      const [batch] = readRecordsBatches(Reader.from(recordBatch(0, values, codec)))
      assert.deepEqual(
        batch!.records.map((r) => r.value),
        values,
      )
    })
  }

  it('takes the bound set last', () => {
    limitInflatedBatches(MiB)
    limitInflatedBatches(16 * MiB)
    const [batch] = readRecordsBatches(Reader.from(recordBatch(0, [Buffer.alloc(8 * MiB)], 'zstd')))
    assert.equal(batch!.records[0]!.value!.length, 8 * MiB)
  })

  it('refuses a bound below one byte', () => {
    assert.throws(() => limitInflatedBatches(0), /≥ 1/)
  })
})
