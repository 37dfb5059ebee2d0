import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryConsumer, MemoryProducer } from '@healthstream/testkit/memory'
import { KafkaErrorCode, KafkaLoopError } from '../../src/kafka/errors.ts'
import { TransactionalLoop } from '../../src/kafka/transactional-loop.ts'
import {
  appendInput,
  brokerWithInput,
  eventually,
  expectedValues,
  INPUT,
  OUTPUT,
  outputValues,
  startLoop,
  type TestLoop,
} from './memory-helpers.ts'

const transient = (what: string) => new KafkaLoopError(KafkaErrorCode.TRANSIENT, `${what} failed (test)`)

test('copies every input record to the output exactly once and commits the offsets after them', async (t) => {
  const broker = brokerWithInput(500)
  const { loop } = startLoop(broker, { maxBatchRecords: 64 })
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 500, 3000, 'all input committed')
  assert.deepEqual(outputValues(broker), expectedValues(500))
  const committed = [0, 1, 2, 3].map((p) => broker.committedOffset('g', INPUT, p) ?? 0n)
  const total = committed.reduce((sum, offset) => sum + offset, 0n)
  assert.equal(total, 500n)
  assert.equal(loop.stats.recordsOut, 500)
  assert.ok(loop.stats.transactionsCommitted >= Math.ceil(500 / 64))
})

test('hands input headers to the transform and writes the headers the transform sets', async (t) => {
  const broker = brokerWithInput(0, 1)
  broker.append([
    { topic: INPUT, value: Buffer.from('x'), headers: new Map([['traceparent', Buffer.from('00-t-01')]]) },
  ])
  const { loop } = startLoop(broker)
  t.after(() => loop.stop())

  await eventually(() => broker.readCommitted(OUTPUT).length === 1)
  const [output] = broker.readCommitted(OUTPUT)
  assert.equal(output?.headers.get('traceparent')?.toString(), '00-t-01')
  assert.equal(output?.headers.get('source')?.toString(), `${INPUT}/0/0`)
})

test('never gives the transform more than maxBatchRecords records at once', async (t) => {
  const broker = brokerWithInput(300, 2)
  const sizes: number[] = []
  const { loop } = startLoop(broker, {
    maxBatchRecords: 25,
    transform: async (records) => {
      sizes.push(records.length)
      return []
    },
  })
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 300)
  assert.ok(Math.max(...sizes) <= 25, `largest batch ${Math.max(...sizes)}`)
})

test('aborts and redoes the batch from the committed offsets when the commit fails', async (t) => {
  const broker = brokerWithInput(200)
  const { loop, producer } = startLoop(broker, { maxBatchRecords: 50 })
  producer.faults.failNext('commit', transient('commit'))
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 200)
  assert.deepEqual(outputValues(broker), expectedValues(200))
  assert.equal(loop.stats.transactionsAborted, 1)
  assert.equal(loop.stats.retries, 1)
  assert.equal(loop.stats.lastError?.code, KafkaErrorCode.TRANSIENT)
})

test('redoes a batch whose offsets could not be sent, without duplicating its outputs', async (t) => {
  const broker = brokerWithInput(120)
  const { loop, producer } = startLoop(broker, { maxBatchRecords: 40 })
  producer.faults.failNext('sendOffsets', transient('sendOffsets'))
  producer.faults.failNext('send', transient('send'))
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 120)
  assert.deepEqual(outputValues(broker), expectedValues(120))
  assert.equal(loop.stats.transactionsAborted, 2)
})

test('retries a transform that threw, and writes nothing for the failed attempt', async (t) => {
  const broker = brokerWithInput(30, 1)
  let calls = 0
  const { loop } = startLoop(broker, {
    transform: async (records) => {
      calls++
      if (calls === 1) throw new Error('registry unreachable')
      return records.map((r) => ({ topic: OUTPUT, value: Buffer.from(String(r.value).toUpperCase()) }))
    },
  })
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 30)
  assert.deepEqual(outputValues(broker), expectedValues(30))
  assert.equal(loop.stats.lastError?.code, KafkaErrorCode.TRANSFORM_FAILED)
  assert.equal(loop.stats.transactionsAborted, 0, 'no transaction was begun for the failed transform')
})

test('stops with the error when the transform says it cannot be retried', async () => {
  const broker = brokerWithInput(5, 1)
  const bug = Object.assign(new Error('schema bug'), { canRetry: false })
  const { loop, done } = startLoop(broker, {
    transform: async () => {
      throw bug
    },
  })

  await assert.rejects(
    done,
    (error: KafkaLoopError) => error.code === KafkaErrorCode.TRANSFORM_FAILED && error.cause === bug,
  )
  assert.equal(loop.stats.state, 'failed')
  assert.deepEqual(broker.readCommitted(OUTPUT), [])
})

test('resets the producer when an abort fails, so the stuck transaction is fenced and aborted', async (t) => {
  const broker = brokerWithInput(60, 1)
  const { loop, producer } = startLoop(broker, { maxBatchRecords: 20 })
  producer.faults.failNext('commit', transient('commit'))
  producer.faults.failNext('abort', transient('abort'))
  t.after(() => loop.stop())

  await eventually(() => loop.stats.recordsIn === 60)
  assert.equal(producer.resets, 1)
  assert.deepEqual(outputValues(broker), expectedValues(60))
})

test('fails with KAFKA_PRODUCER_FENCED when a newer producer takes over the transactional id', async () => {
  const broker = brokerWithInput(10, 1)
  let gate: (() => void) | undefined
  const { loop, done } = startLoop(broker, {
    transform: async (records) => {
      await new Promise<void>((resolve) => {
        gate = resolve
      })
      return records.map((r) => ({ topic: OUTPUT, value: r.value }))
    },
  })
  await eventually(() => gate !== undefined, 3000, 'first batch in transform')
  await new MemoryProducer(broker, 'tx').init() // the running loop is now a zombie
  gate?.()

  await assert.rejects(done, (error: KafkaLoopError) => error.code === KafkaErrorCode.PRODUCER_FENCED)
  assert.equal(loop.stats.state, 'failed')
  assert.deepEqual(broker.readCommitted(OUTPUT), [])
})

test('a crash between produce and commit leaves nothing visible, and the restarted instance writes each record once', async (t) => {
  const broker = brokerWithInput(300)
  const zombie = startLoop(broker, { maxBatchRecords: 40 })
  // The process dies right after producing its third batch: that transaction stays open on the broker
  zombie.producer.faults.hangAfter('sendOffsets', 2)
  const produced = () => zombie.events.filter((e) => e.type === 'produced').length
  await eventually(() => produced() === 3, 3000, 'the crash')
  zombie.loop.pause() // a dead process reads nothing more
  broker.leave('g', zombie.consumer.memberId!) // its group session expires

  const restarted = startLoop(broker, { maxBatchRecords: 40 }) // same group, same transactional id
  t.after(() => restarted.loop.stop())
  const total = () => zombie.loop.stats.recordsIn + restarted.loop.stats.recordsIn
  await eventually(() => total() === 300, 3000, 'the restarted instance catches up')
  assert.equal(zombie.loop.stats.transactionsCommitted, 2)
  assert.deepEqual(outputValues(broker), expectedValues(300))
})

test('a rebalance after produce aborts the open transaction, and the new owners write each record once', async (t) => {
  const broker = brokerWithInput(400)
  let second: TestLoop | undefined
  let produced = 0
  const first = startLoop(broker, {
    maxBatchRecords: 30,
    transactionalId: 'tx-1',
    onEvent: (event) => {
      // A second instance joins while the first holds an open transaction with outputs in it
      if (event.type === 'produced' && ++produced === 3)
        second = startLoop(broker, { transactionalId: 'tx-2' })
    },
  })
  t.after(() => first.loop.stop())
  t.after(() => second?.loop.stop())

  const total = () => first.loop.stats.recordsIn + (second?.loop.stats.recordsIn ?? 0)
  await eventually(() => total() === 400, 3000, 'both caught up')
  assert.deepEqual(outputValues(broker), expectedValues(400))
  const aborted = first.events.find((e) => e.type === 'aborted')
  assert.equal(aborted?.type === 'aborted' && aborted.error.code, KafkaErrorCode.REBALANCED)
  assert.equal(first.loop.stats.rebalances, 1)
  assert.ok((second?.loop.stats.recordsIn ?? 0) > 0, 'the new member got partitions')
})

test('stop lets the open batch commit, then leaves the group and closes both clients', async () => {
  const broker = brokerWithInput(50, 1)
  let release: (() => void) | undefined
  const { loop, done, consumer } = startLoop(broker, {
    maxBatchRecords: 50,
    transform: async (records) => {
      await new Promise<void>((resolve) => {
        release = resolve
      })
      return records.map((r) => ({ topic: OUTPUT, value: Buffer.from(String(r.value).toUpperCase()) }))
    },
  })
  await eventually(() => release !== undefined)
  const stopped = loop.stop()
  assert.equal(loop.stats.state, 'stopping')
  release?.()
  await stopped
  await done

  assert.equal(loop.stats.state, 'stopped')
  assert.deepEqual(outputValues(broker), expectedValues(50))
  assert.equal(consumer.memberId, undefined, 'left the group')
})

test('stop aborts a batch that is still in the transform after shutdownTimeoutMs', async () => {
  const broker = brokerWithInput(10, 1)
  const { loop, done } = startLoop(broker, {
    shutdownTimeoutMs: 20,
    transform: async (records, { signal }) => {
      await new Promise((resolve) => signal.addEventListener('abort', resolve))
      return records.map((r) => ({ topic: OUTPUT, value: r.value }))
    },
  })
  await eventually(() => loop.stats.session !== undefined)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await loop.stop()
  await done

  assert.deepEqual(broker.readCommitted(OUTPUT), [])
  assert.equal(broker.committedOffset('g', INPUT, 0), undefined)
})

test('an aborted signal stops the loop like stop() does', async () => {
  const broker = brokerWithInput(10, 1)
  const controller = new AbortController()
  const { loop, done } = startLoop(broker, { signal: controller.signal })
  await eventually(() => loop.stats.recordsIn === 10)
  controller.abort()
  await done
  assert.equal(loop.stats.state, 'stopped')
})

test('pause holds new batches back and resume picks them up', async (t) => {
  const broker = brokerWithInput(10, 1)
  const { loop } = startLoop(broker)
  t.after(() => loop.stop())
  await eventually(() => loop.stats.recordsIn === 10)

  loop.pause()
  appendInput(broker, 10, 10)
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(loop.stats.recordsIn, 10)
  assert.equal(loop.stats.state, 'paused')
  loop.resume()
  await eventually(() => loop.stats.recordsIn === 20)
})

test('rejects options out of bounds with a message naming the option', () => {
  const broker = brokerWithInput(0, 1)
  assert.throws(
    () => new TransactionalLoop({ ...startOptions(broker), maxBatchRecords: 0 }),
    /maxBatchRecords must be a number ≥ 1/,
  )
  assert.throws(() => new TransactionalLoop({ ...startOptions(broker), inputTopics: [] }), /inputTopics/)
})

function startOptions(broker: ReturnType<typeof brokerWithInput>) {
  const consumer = new MemoryConsumer(broker, 'g')
  const producer = new MemoryProducer(broker, 'tx')
  return { consumer, producer, inputTopics: [INPUT], transform: async () => [] }
}
