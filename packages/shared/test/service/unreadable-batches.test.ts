import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryConsumer } from '@healthstream/testkit/memory'
import type { ErrorRecord } from '../../src/domain/index.ts'
import type {
  ConsumedRecord,
  ConsumerPort,
  FetchOptions,
  OutputRecord,
  PartitionOffset,
  TransformContext,
} from '../../src/kafka/index.ts'
import { KafkaErrorCode, KafkaLoopError } from '../../src/kafka/index.ts'
import { deadLetterUnreadable } from '../../src/service/unreadable-batches.ts'
import { brokerWithInput, eventually, INPUT, OUTPUT, startLoop, upperCase } from '../kafka/memory-helpers.ts'

const record = (offset: number, value: string | null): ConsumedRecord => ({
  topic: 'raw',
  partition: 1,
  offset: BigInt(offset),
  key: null,
  value: value === null ? null : Buffer.from(value),
  headers: new Map(),
  timestamp: 0,
})

const unreadable = (first: number, last: number): ConsumedRecord => ({
  ...record(last, null),
  unreadable: {
    reason: 'inflate_limit',
    firstOffset: BigInt(first),
    lastOffset: BigInt(last),
    codec: 'zstd',
    compressedBytes: 33_000,
    limit: 64 << 20,
  },
})

/** A transform echoing its input, remembering what it was given; dead letters kept as JSON. */
function harness() {
  const seen: bigint[][] = []
  const reasons: string[] = []
  const transform = deadLetterUnreadable(
    async (records) => {
      seen.push(records.map((r) => r.offset))
      return records.map((r): OutputRecord => ({ topic: 'out', value: r.value }))
    },
    {
      stage: 'ingest',
      errorsTopic: 'errors',
      errors: { serialize: (e: ErrorRecord) => Buffer.from(JSON.stringify(e)) },
      nowMicros: () => 42,
      onDeadLetter: (reason) => reasons.push(reason),
    },
  )
  const run = (records: ConsumedRecord[]) => transform(records, {} as TransformContext)
  return { seen, reasons, run }
}

describe('dead letters for unreadable batches', () => {
  it('hands the transform the readable records and adds one dead letter per unreadable batch', async () => {
    const { seen, reasons, run } = harness()
    const out = await run([record(5, 'a'), unreadable(6, 9), record(10, 'b')])
    assert.deepEqual(seen, [[5n, 10n]])
    assert.deepEqual(
      out.map((o) => o.topic),
      ['out', 'out', 'errors'],
    )
    const error = JSON.parse(out[2]!.value!.toString()) as ErrorRecord
    assert.equal(error.errorId, 'ingest:raw:1:6')
    assert.equal(error.reasonCode, 'BATCH_INFLATE_LIMIT')
    assert.equal(error.sourceOffset, 6)
    assert.equal(error.payloadFormat, 'json')
    assert.match(
      error.message,
      /offsets 6\.\.9 of raw\[1\].*33000 bytes of zstd inflate beyond 67108864 bytes/,
    )
    assert.deepEqual(reasons, ['BATCH_INFLATE_LIMIT'])
  })

  it('does not call the transform for a batch of unreadable batches only', async () => {
    const { seen, run } = harness()
    const out = await run([unreadable(0, 3)])
    assert.deepEqual(seen, [])
    assert.equal(out.length, 1)
  })

  it('passes batches without unreadable records through untouched', async () => {
    const { seen, reasons, run } = harness()
    assert.equal((await run([record(1, 'x')])).length, 1)
    assert.deepEqual(seen, [[1n]])
    assert.deepEqual(reasons, [])
  })

  it('writes the same dead letter for the same batch when the transaction is redone', async () => {
    const { run } = harness()
    const first = await run([unreadable(6, 9)])
    const again = await run([unreadable(6, 9)])
    assert.deepEqual(first, again)
  })
})

/** The in-memory consumer, with offsets 3..5 of partition 0 fetched as one batch beyond the bound. */
function withBombAt3to5(consumer: MemoryConsumer): ConsumerPort {
  const fetch = async (positions: readonly PartitionOffset[], options: FetchOptions) => {
    const result = await consumer.fetch(positions, options)
    const records = result.records.flatMap((r): ConsumedRecord[] => {
      if (r.partition !== 0 || r.offset < 3n || r.offset > 5n) return [r]
      return r.offset === 5n ? [{ ...unreadable(3, 5), topic: r.topic, partition: r.partition }] : []
    })
    return { ...result, records }
  }
  return {
    subscribe: (topics) => consumer.subscribe(topics),
    session: () => consumer.session(),
    isCurrent: (session) => consumer.isCurrent(session),
    onSession: (listener) => consumer.onSession(listener),
    startOffsets: (partitions) => consumer.startOffsets(partitions),
    close: () => consumer.close(),
    fetch,
  }
}

describe('an unreadable batch in the exactly-once loop', () => {
  it('commits past the batch with its dead letter in the same transaction, once, even when redone', async (t) => {
    const broker = brokerWithInput(10, 1)
    broker.createTopic('errors', 1)
    const consumer = new MemoryConsumer(broker, 'g')
    const { loop, producer } = startLoop(broker, {
      consumer: withBombAt3to5(consumer),
      maxBatchRecords: 4,
      transform: deadLetterUnreadable(upperCase, {
        stage: 'ingest',
        errorsTopic: 'errors',
        errors: { serialize: (e: ErrorRecord) => Buffer.from(JSON.stringify(e)) },
        nowMicros: () => 42,
      }),
    })
    producer.faults.failNext('commit', new KafkaLoopError(KafkaErrorCode.TRANSIENT, 'commit failed (test)'))
    t.after(() => loop.stop())

    await eventually(() => broker.committedOffset('g', INPUT, 0) === 10n, 3000, 'all input committed')
    const outputs = broker.readCommitted(OUTPUT).map((r) => r.value?.toString())
    assert.deepEqual(outputs, ['V0', 'V1', 'V2', 'V6', 'V7', 'V8', 'V9'])
    const errors = broker.readCommitted('errors').map((r) => JSON.parse(r.value!.toString()) as ErrorRecord)
    assert.deepEqual(
      errors.map((e) => [e.errorId, e.reasonCode]),
      [[`ingest:${INPUT}:0:3`, 'BATCH_INFLATE_LIMIT']],
    )
    assert.equal(loop.stats.transactionsAborted, 1)
  })
})
