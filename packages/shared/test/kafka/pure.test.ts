import assert from 'node:assert/strict'
import { test } from 'node:test'
import { backoffDelay } from '../../src/kafka/backoff.ts'
import { foreignPartitions, nextOffsets } from '../../src/kafka/batch.ts'
import { KafkaErrorCode, KafkaLoopError, transformError } from '../../src/kafka/errors.ts'
import type { LoopStats } from '../../src/kafka/loop-stats.ts'
import { isLoopReady } from '../../src/kafka/loop-stats.ts'
import type { ConsumedRecord } from '../../src/kafka/ports.ts'

const record = (topic: string, partition: number, offset: number): ConsumedRecord => ({
  topic,
  partition,
  offset: BigInt(offset),
  key: null,
  value: null,
  headers: new Map(),
  timestamp: 0,
})

test('commits, per partition, the offset after the highest one processed', () => {
  const records = [
    record('b', 0, 7),
    record('a', 1, 3),
    record('a', 1, 9),
    record('a', 0, 2),
    record('a', 1, 4),
  ]
  assert.deepEqual(nextOffsets(records), [
    { topic: 'a', partition: 0, offset: 3n },
    { topic: 'a', partition: 1, offset: 10n },
    { topic: 'b', partition: 0, offset: 8n },
  ])
})

test('finds the partitions of a batch that are not in the assignment', () => {
  const assignment = [{ topic: 'a', partition: 0 }]
  assert.deepEqual(foreignPartitions([record('a', 0, 1), record('a', 1, 1), record('a', 1, 2)], assignment), [
    { topic: 'a', partition: 1 },
  ])
})

test('backs off by doubling from the initial delay up to the maximum, jittering the upper half', () => {
  const options = { initialMs: 100, maxMs: 1000 }
  const table: [attempt: number, random: number, delay: number][] = [
    [1, 0, 50],
    [1, 1, 100],
    [2, 1, 200],
    [4, 0.5, 600],
    [5, 1, 1000],
    [50, 1, 1000],
  ]
  for (const [attempt, random, delay] of table) {
    assert.equal(
      backoffDelay(attempt, options, () => random),
      delay,
      `attempt ${attempt}, random ${random}`,
    )
  }
})

test('wraps a transform error as retriable unless it says canRetry: false', () => {
  const retriable = transformError(new Error('timeout'))
  assert.equal(retriable.code, KafkaErrorCode.TRANSFORM_FAILED)
  assert.equal(retriable.canRetry, true)
  assert.equal(transformError(Object.assign(new Error('bug'), { canRetry: false })).canRetry, false)
  const own = new KafkaLoopError(KafkaErrorCode.FATAL, 'x')
  assert.equal(transformError(own), own)
})

test('gives each error code its retry flag', () => {
  const table: [KafkaErrorCode, boolean][] = [
    [KafkaErrorCode.PRODUCER_FENCED, false],
    [KafkaErrorCode.REBALANCED, true],
    [KafkaErrorCode.TRANSIENT, true],
    [KafkaErrorCode.FATAL, false],
    [KafkaErrorCode.INVALID_OPTIONS, false],
  ]
  for (const [code, canRetry] of table) assert.equal(new KafkaLoopError(code, 'x').canRetry, canRetry, code)
})

const stats = (overrides: Partial<LoopStats>): LoopStats => ({
  state: 'running',
  session: { groupId: 'g', memberId: 'm', generationId: 1, assignment: [] },
  bufferedRecords: 0,
  throttled: false,
  recordsIn: 0,
  recordsOut: 0,
  transactionsCommitted: 0,
  transactionsAborted: 0,
  retries: 0,
  rebalances: 0,
  lastProgressAt: 1000,
  lastCommitAt: 0,
  lastError: undefined,
  ...overrides,
})

test('is ready when running with a session and progress within the stall timeout', () => {
  assert.equal(isLoopReady(stats({}), 500, 1400), true)
  assert.equal(isLoopReady(stats({}), 500, 1600), false, 'stalled')
  assert.equal(isLoopReady(stats({ session: undefined }), 500, 1000), false, 'no session')
  assert.equal(isLoopReady(stats({ state: 'starting' }), 500, 1000), false, 'starting')
  assert.equal(isLoopReady(stats({ state: 'paused' }), 500, 9000), true, 'paused on purpose')
})
