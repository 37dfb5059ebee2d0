import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ConsumedRecord, FetchResult, PartitionOffset } from '@healthstream/shared/kafka'
import { Fetcher } from '../../src/consuming/fetcher.ts'

const record = (topic: string, partition: number, offset: number): ConsumedRecord =>
  ({ topic, partition, offset: BigInt(offset), key: null, value: null }) as ConsumedRecord

/** A consumer whose fetches answer with `answers`, one per fetch, recording the positions asked for. */
function consumerOf(answers: readonly (readonly ConsumedRecord[])[]) {
  const asked: PartitionOffset[][] = []
  let n = 0
  return {
    asked,
    fetch: async (positions: readonly PartitionOffset[]): Promise<FetchResult> => {
      asked.push([...positions])
      const records = answers[n++] ?? []
      return { records, next: [] }
    },
  }
}

const limits = { maxWaitMs: 10, maxBytes: 1 << 20 }
const ids = (records: readonly ConsumedRecord[]) =>
  records.map((r) => `${r.topic}/${r.partition}@${r.offset}`)

describe('the fetcher', () => {
  it('passes on the records of owned partitions only, in the order they came', async () => {
    const answer = [
      record('v', 0, 1),
      record('v', 0, 2),
      record('v', 1, 7), // not owned
      record('w', 0, 3), // same partition number, another topic: not owned
      record('v', 2, 5),
      record('v', 0, 3),
    ]
    const consumer = consumerOf([answer])
    const fetcher = new Fetcher(consumer, limits)
    fetcher.reset([
      { topic: 'v', partition: 0, offset: 1n },
      { topic: 'v', partition: 2, offset: 5n },
    ])
    assert.deepEqual(ids(await fetcher.next()), ['v/0@1', 'v/0@2', 'v/2@5', 'v/0@3'])
    assert.deepEqual(
      consumer.asked[0]!.map((p) => `${p.topic}/${p.partition}`),
      ['v/0', 'v/2'],
    )
  })

  it('passes a response of owned partitions on as it is', async () => {
    const answer = [record('v', 0, 1), record('v', 2, 5)]
    const fetcher = new Fetcher(consumerOf([answer]), limits)
    fetcher.reset([
      { topic: 'v', partition: 0, offset: 1n },
      { topic: 'v', partition: 2, offset: 5n },
    ])
    assert.equal(await fetcher.next(), answer)
  })
})
