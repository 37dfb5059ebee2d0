import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { offsetTopics } from '../../src/kafka/platformatic-producer.ts'

describe('the offsets of a transaction as one TxnOffsetCommit', () => {
  it('groups partitions by topic, in order, each with its next offset and an unknown leader epoch', () => {
    const topics = offsetTopics([
      { topic: 'a', partition: 2, offset: 10n },
      { topic: 'b', partition: 0, offset: 1n },
      { topic: 'a', partition: 0, offset: 7n },
    ])
    assert.deepEqual(topics, [
      {
        name: 'a',
        partitions: [
          { partitionIndex: 2, committedOffset: 10n, committedLeaderEpoch: -1, committedMetadata: null },
          { partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
      {
        name: 'b',
        partitions: [
          { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ])
  })

  it('is empty for no offsets', () => {
    assert.deepEqual(offsetTopics([]), [])
  })
})
